import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, matmul, randn } from '@edora/tensor';
import { BROWSER_WORKER_SOURCE, WasmBackend, type SpawnWorker } from '../src/index.js';
import { untilEveryThreadWorks } from './helpers.js';

// The browser code paths, run in Node: the Web Worker source (its init arrives as the first
// message, as webWorkerSpawner sends it) inside a worker_threads Worker given a `self` shim, and
// a calling thread that may not block (canBlock false: a browser's main thread spins instead).
const browserLikeSpawner: SpawnWorker = (init) => {
  const shim = `const { parentPort } = require('node:worker_threads');
const self = {};
${BROWSER_WORKER_SOURCE}
parentPort.once('message', (data) => self.onmessage({ data }));`;
  const w = new Worker(shim, { eval: true });
  w.unref();
  w.postMessage(init);
  return { terminate: () => void w.terminate() };
};

describe('browser paths', () => {
  const be = new WasmBackend({ threads: 3, spawnWorker: browserLikeSpawner, canBlock: false, parallelMinFlops: 0 });
  afterAll(() => be.dispose());

  it('the Web Worker loop and a non-blocking caller compute the same products as the cpu backend', async () => {
    expect(be.threads).toBe(3);
    const chunks = await untilEveryThreadWorks(be);
    expect(chunks.every((c) => c > 0), `chunks by thread: ${chunks.join(', ')}`).toBe(true);
    const cpu = new CpuBackend();
    for (const [m, k, n] of [[300, 70, 90], [64, 64, 64], [513, 257, 33]] as const) {
      const a = randn([m, k], { seed: m, backend: be });
      const b = randn([n, k], { seed: n, backend: be });
      const got = matmul(a, b, { transB: true }).dataSync();
      const want = matmul(randn([m, k], { seed: m, backend: cpu }), randn([n, k], { seed: n, backend: cpu }), { transB: true }).dataSync();
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      expect(worst, `${m}×${k}·(${n}×${k})ᵀ`).toBeLessThan(1e-5 * Math.sqrt(k));
    }
  });
});
