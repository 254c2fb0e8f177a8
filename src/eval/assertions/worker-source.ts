// The worker runs from source text (eval) rather than a file: the same code then works under ts-jest/swc, tsx and
// the compiled dist build, none of which agree on where a compiled worker file would be.
// import() rather than require(): it loads CommonJS and ES modules alike on every supported Node version.
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

function exportedFunction(ns) {
  const d = ns && ns.default;
  if (typeof d === 'function') return d;
  if (d && typeof d.default === 'function') return d.default;
  return undefined;
}

(async () => {
  const fn = exportedFunction(await import(pathToFileURL(workerData.file).href));
  if (!fn) throw new Error(workerData.name + ' does not export a function');
  const value = await fn(workerData.output, workerData.context);
  parentPort.postMessage({ ok: true, value });
})().catch((err) => {
  const message = err && typeof err.message === 'string' ? err.message : String(err);
  parentPort.postMessage({ ok: false, message });
});
`;
