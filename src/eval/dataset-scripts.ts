import fs from 'node:fs/promises';
import { resolveScript } from './assertions/paths';
import { sha256 } from '../store/hash';
import type { EvalCase } from './types';

export interface CapturedScripts {
  /** The cases with each `javascript` assertion's `sourceRef` set to its script's blob hash. */
  cases: EvalCase[];
  /** The script sources to store as blobs, one per distinct content. */
  sources: string[];
}

/**
 * Copies the source of every `javascript` assertion into the dataset, as content-addressed blobs: the machine
 * that imports the dataset reads the files (under `baseDir`, the dataset file's folder), and from then on
 * workers run the stored copy wherever they are. A missing or escaping file fails the import with the case
 * that names it. A script runs alone, in a sandbox: it can require or import nothing, neither Node built-ins nor
 * files beside it.
 */
export async function captureScripts(cases: EvalCase[], baseDir: string): Promise<CapturedScripts> {
  const sources = new Map<string, string>();
  const byFile = new Map<string, string>();
  const captured: EvalCase[] = [];
  for (const c of cases) {
    const assertions: unknown[] = [];
    for (const a of c.assertions) {
      const js = a as { type?: unknown; file?: unknown };
      if (js.type !== 'javascript' || typeof js.file !== 'string') {
        assertions.push(a);
        continue;
      }
      let ref = byFile.get(js.file);
      if (ref === undefined) {
        const script = await resolveScript(baseDir, js.file);
        if (!script.ok) throw new Error(`case ${c.id}: javascript assertion ${script.reason}`);
        const source = await fs.readFile(script.path, 'utf8');
        ref = sha256(source);
        sources.set(ref, source);
        byFile.set(js.file, ref);
      }
      assertions.push({ ...(a as object), sourceRef: ref });
    }
    captured.push({ ...c, assertions });
  }
  return { cases: captured, sources: [...sources.values()] };
}
