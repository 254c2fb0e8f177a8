import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScriptSource } from '../../eval/assertions';
import { getBlob } from '../../store/blobs';
import type { Db } from '../../store/db';

/** Where this worker keeps the stored scripts it runs, named by content hash: its own disk, never a client's. */
const SCRIPT_CACHE = path.join(os.tmpdir(), 'refinery-scripts');

/**
 * `javascript` assertion code from the store: the copy captured when the dataset version was created. It is
 * written once per content hash into this worker's temp folder, keeping the extension the dataset gave it (the
 * sandbox reads the source from there; the extension says whether it is CommonJS or an ES module).
 */
export function storedScripts(db: Db): ScriptSource {
  const materialise = async (ref: string, ext: string): Promise<string> => {
    const file = path.join(SCRIPT_CACHE, `${ref}${ext}`);
    if (fs.existsSync(file)) return file;
    const source = await getBlob(db, ref);
    fs.mkdirSync(SCRIPT_CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, file);
    return file;
  };
  return async (a) => {
    if (!a.sourceRef)
      return {
        ok: false,
        reason: `${a.file}: this dataset version holds no copy of the script: import the dataset again with \`refinery dataset add\``,
      };
    // The file name is built from stored data: only a content hash and a script extension may make it up.
    const ext = path.extname(a.file);
    if (!/^[0-9a-f]{64}$/.test(a.sourceRef) || !['.js', '.cjs', '.mjs'].includes(ext))
      return { ok: false, reason: `${a.file}: the stored script reference is malformed: import the dataset again` };
    try {
      return { ok: true, path: await materialise(a.sourceRef, ext) };
    } catch (err) {
      return { ok: false, reason: `${a.file}: ${(err as Error).message}` };
    }
  };
}
