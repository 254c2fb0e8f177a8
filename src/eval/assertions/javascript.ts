import fs from 'node:fs/promises';
import { failed } from './result';
import type { AssertionOf } from './schema';
import { clip, scriptResult, thrownReason } from './script-result';
import type { AssertionContext, AssertionResult } from './types';
import { runScript } from './worker-run';

export const DEFAULT_SCRIPT_TIMEOUT_MS = 2000;

/** Runs a dataset's JavaScript check in the QuickJS sandbox, with time and memory limits. */
export async function javascriptAssertion(
  a: AssertionOf<'javascript'>,
  ctx: AssertionContext,
): Promise<AssertionResult> {
  const script = await ctx.scripts(a);
  if (!script.ok) return failed(a, script.reason);
  let source: string;
  try {
    source = await fs.readFile(script.path, 'utf8');
  } catch (err) {
    return failed(a, `${a.file}: ${(err as Error).message}`);
  }
  let context: unknown;
  try {
    // A JSON round trip: the sandbox gets plain data only, never functions, class instances or shared objects.
    context = JSON.parse(
      JSON.stringify({
        vars: ctx.vars,
        expected: ctx.expected,
        outputTokens: ctx.outputTokens,
        latencyMs: ctx.latencyMs,
      }),
    );
  } catch (err) {
    return failed(a, `vars are not JSON-serialisable: ${(err as Error).message}`);
  }
  const limitMs = a.timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
  const outcome = await runScript({ source, name: a.file, output: ctx.output, context }, limitMs);
  if (outcome.kind === 'timeout') return failed(a, `timed out after ${limitMs} ms`);
  if (outcome.kind === 'thrown') return failed(a, thrownReason(outcome.thrown));
  if (outcome.kind === 'error') return failed(a, clip(outcome.message));
  return scriptResult(a, outcome.value);
}
