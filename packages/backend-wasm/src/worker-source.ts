import { CHUNKS0, T } from './task.js';

/**
 * What a worker runs, as plain JavaScript source, so that it needs no bundler, no loader and no
 * file next to the compiled package: Node starts it with `new Worker(src, { eval: true })`,
 * browsers from a Blob URL. The worker instantiates the kernel module over the shared memory,
 * sleeps on the task block's SEQ word, and on each new generation pulls chunks through
 * `task_work` until none are left, then wakes the caller through COMPLETED.
 */
const LOOP = `
function edoraWasmWorker(init) {
  var inst = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  var work = inst.exports.task_work;
  var i32 = new Int32Array(init.memory.buffer, init.task, ${CHUNKS0} + init.tid + 1);
  var last = Atomics.load(i32, ${T.SEQ});
  for (;;) {
    Atomics.wait(i32, ${T.SEQ}, last);
    if (Atomics.load(i32, ${T.STOP}) !== 0) return;
    last = Atomics.load(i32, ${T.SEQ});
    try {
      Atomics.add(i32, ${CHUNKS0} + init.tid, work(init.task, init.tid));
    } catch (err) {
      Atomics.store(i32, ${T.ERROR}, 1);
      Atomics.notify(i32, ${T.COMPLETED});
      throw err;
    }
    Atomics.notify(i32, ${T.COMPLETED});
  }
}
`;

/** Source for `new Worker(src, { eval: true, workerData: init })` in Node. */
export const NODE_WORKER_SOURCE = `${LOOP}
edoraWasmWorker(require('node:worker_threads').workerData);
`;

/** Source for a browser Web Worker; the init object arrives as the first message. */
export const BROWSER_WORKER_SOURCE = `${LOOP}
self.onmessage = function (e) { self.onmessage = null; edoraWasmWorker(e.data); };
`;
