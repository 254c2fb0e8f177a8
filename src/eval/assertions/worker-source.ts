// The worker runs from source text (eval) rather than a file: the same code then works under ts-jest/swc, tsx and
// the compiled dist build, none of which agree on where a compiled worker file would be.
//
// The worker thread itself is only the host: the dataset's script runs inside QuickJS compiled to WebAssembly,
// which has no file system, network, processes, timers, environment or modules. Nothing from Node is handed in:
// the script sees standard JavaScript, a console that discards, and its two arguments as plain JSON data.
// The thread is there for CPU isolation (see worker-run.ts); the sandbox is the WebAssembly engine.
//
// Every message is posted once and the thread is then terminated by the parent, so nothing is disposed here:
// an engine left mid-error (out of memory, interrupted) is thrown away with its thread.
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData: d } = require('node:worker_threads');

// Runs inside QuickJS before the script; returns the helpers the host calls. Not reachable from the script:
// only its return value is kept, by the host. It takes the intrinsics it needs before the script can replace them.
const PRELUDE = \`(() => {
  const stringify = JSON.stringify, parse = JSON.parse, isArray = Array.isArray, String = globalThis.String;
  const resolve = Promise.resolve.bind(Promise);
  const noop = () => {};
  globalThis.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop };
  const refuse = (name) => {
    throw new Error("require(" + stringify(String(name)) + ") is not available: " + \${JSON.stringify(d.noHost)});
  };
  const pick = (ns) => {
    if (typeof ns === 'function') return ns;
    const d = ns == null ? undefined : ns.default;
    if (typeof d === 'function') return d;
    if (d != null && typeof d.default === 'function') return d.default;
    return undefined;
  };
  const cut = (s) => (s.length > \${d.maxText} ? s.slice(0, \${d.maxText}) : s);
  return {
    load(wrapper) {
      const module = { exports: {} };
      wrapper.call(module.exports, module.exports, refuse, module);
      return module.exports;
    },
    start(ns, output, contextJson, name) {
      const fn = pick(ns);
      if (!fn) throw new Error(name + ' does not export a function');
      return resolve(fn(output, parse(contextJson)));
    },
    // The value as data the host can judge without ever reading more than the three documented fields.
    shape(value) {
      const t = value === null ? 'null' : isArray(value) ? 'array' : typeof value;
      if (t === 'boolean') return stringify({ t, v: value });
      if (t === 'number') return stringify({ t, v: String(value) });
      if (t !== 'object') return stringify({ t });
      const { pass, score, reason } = value;
      const v = {};
      if (typeof pass === 'boolean') v.pass = pass;
      if (score !== undefined) v.score = typeof score === 'number' ? String(score) : { t: typeof score };
      if (typeof reason === 'string' && reason.length > \${d.maxReason}) v.reasonChars = reason.length;
      else if (typeof reason === 'string') v.reason = cut(reason);
      return stringify({ t, v });
    },
    thrown(e) {
      if (e instanceof Error) return stringify({ t: 'error', name: cut(String(e.name)), message: cut(String(e.message)) });
      const t = e === null ? 'null' : isArray(e) ? 'array' : typeof e;
      if (t === 'number' || t === 'boolean' || t === 'bigint') return stringify({ t, v: String(e) });
      if (t === 'string') return stringify({ t, v: cut(e) });
      return stringify({ t });
    },
  };
})()\`;

// Errors and values come back as one JSON text each; anything longer is refused rather than read further.
function text(vm, handle, what) {
  if (vm.typeof(handle) !== 'string') throw new Error(what + ' did not describe itself');
  const s = vm.getString(handle);
  if (s.length > d.maxJson) throw new Error(what + ' is larger than ' + d.maxJson + ' characters');
  return s;
}

(async () => {
  const { newQuickJSWASMModule, newVariant, RELEASE_SYNC } = require(d.quickjs);
  const engine = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmModule: d.wasm }));
  const rt = engine.newRuntime();
  rt.setMemoryLimit(d.memoryBytes);
  rt.setMaxStackSize(d.stackBytes);
  const timedOut = () => Date.now() >= d.deadline;
  rt.setInterruptHandler(timedOut);
  rt.setModuleLoader((name) => ({
    error: new Error('import ' + JSON.stringify(String(name)) + ' is not available: ' + d.noHost),
  }));
  const vm = rt.newContext();
  const helpers = vm.unwrapResult(vm.evalCode(PRELUDE, 'prelude.js'));
  const call = (name, ...args) => vm.callFunction(vm.getProp(helpers, name), helpers, ...args);

  // A failure inside the engine, as the message for the result. Memory is raised a little first: describing an
  // error that ran the script out of memory needs some.
  const failure = (handle) => {
    if (timedOut()) return { timeout: true };
    rt.setMemoryLimit(d.memoryBytes + 4 * 1024 * 1024);
    const described = call('thrown', handle);
    // Describing runs the script's code (getters, toString) under the same deadline.
    if (described.error) return timedOut() ? { timeout: true } : { ok: false, message: 'threw a value that could not be read' };
    return { ok: false, thrown: JSON.parse(text(vm, described.value, 'the thrown value')) };
  };
  // Runs queued promise jobs until the promise settles or nothing is left to run.
  const settle = (promise) => {
    for (;;) {
      const state = vm.getPromiseState(promise);
      if (state.type !== 'pending') return state;
      const jobs = rt.executePendingJobs();
      if (jobs.error) return { type: 'rejected', error: jobs.error };
      if (jobs.value === 0) return vm.getPromiseState(promise);
    }
  };

  // A module's namespace, or a promise of it (top-level await).
  const asModule = () => {
    const evaluated = vm.evalCode(d.source, d.name, { type: 'module' });
    if (evaluated.error) return evaluated;
    const state = settle(evaluated.value);
    if (state.type === 'rejected') return { error: state.error };
    if (state.type === 'pending') return { pending: true };
    return { value: state.value };
  };
  // CommonJS: the source becomes a function body, as Node wraps it. Compiling it runs nothing.
  const compileCommonJs = () => vm.evalCode('(function (exports, require, module) {' + d.source + '\\n})', d.name);
  let loaded;
  if (d.kind === 'module') loaded = asModule();
  else {
    const wrapper = compileCommonJs();
    // A .js file may be either: as Node does, it is an ES module when it does not compile as CommonJS.
    if (wrapper.error && d.kind === 'js' && /\\b(import|export)\\b/.test(d.source)) loaded = asModule();
    else if (wrapper.error) return failure(wrapper.error);
    else loaded = call('load', wrapper.value);
  }
  if (loaded.pending)
    return { ok: false, message: 'module evaluation never finished (top-level await on a promise that never settles)' };
  if (loaded.error) return failure(loaded.error);
  const ns = loaded.value;
  const started = call('start', ns, vm.newString(d.output), vm.newString(JSON.stringify(d.context)), vm.newString(d.name));
  if (started.error) return failure(started.error);
  const state = settle(started.value);
  if (state.type === 'rejected') return failure(state.error);
  if (state.type === 'pending') return { ok: false, message: 'returned a Promise that never settles' };
  const shaped = call('shape', state.value);
  if (shaped.error) return failure(shaped.error);
  return { ok: true, value: JSON.parse(text(vm, shaped.value, 'the result')) };
})().then(
  (outcome) => parentPort.postMessage(outcome),
  (err) => parentPort.postMessage({ ok: false, message: err && typeof err.message === 'string' ? err.message : String(err) }),
);
`;
