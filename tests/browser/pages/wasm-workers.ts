/**
 * @edora/backend-wasm in the page: the registry's browser entry (Web Workers when the page is
 * cross-origin isolated), and a 3-thread backend on Web Workers computing a transposed product
 * and sums along both axes; per-thread chunk counts show which threads did the work.
 */
import '@edora/backend-wasm/register';
import { initBackend, matmul, sum, tensor } from '@edora/tensor';
import { WasmBackend, webWorkerSpawner } from '@edora/backend-wasm';
import { expose } from './expose.js';

export interface WasmPageInput {
  /** a [m, k] times b [n, k] transposed. */
  m: number;
  k: number;
  n: number;
  a: number[];
  b: number[];
  /** x [rows, cols], summed along each axis. */
  rows: number;
  cols: number;
  x: number[];
}

export interface WasmPageResult {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  registered: { threads: number; device: string };
  threads: number;
  /** Chunks per thread (index 0: the page's thread) after warming up, and during the product returned. */
  chunksWarm: number[];
  chunksDuring: number[];
  product: number[];
  sumRows: number[];
  sumCols: number[];
}

const THREADS = 3;
const MAX_TRIES = 20;

/** Workers start asynchronously and miss what runs before they are up: multiply until each has taken a chunk. */
async function untilEveryThreadWorks(be: WasmBackend, ms: number): Promise<void> {
  const a = tensor(new Float32Array(256 * 256).fill(1), [256, 256], { backend: be });
  const end = performance.now() + ms;
  while (be.chunksByThread().some((c) => c === 0) && performance.now() < end) {
    matmul(a, a).dispose();
    await new Promise((r) => setTimeout(r, 5));
  }
  a.dispose();
}

expose(async (input: WasmPageInput): Promise<WasmPageResult> => {
  const registered = (await initBackend('wasm')) as WasmBackend;
  // the page's main thread may not block in Atomics.wait: it spins while the workers finish
  const be = new WasmBackend({ threads: THREADS, spawnWorker: webWorkerSpawner(), canBlock: false, parallelMinFlops: 0 });
  try {
    await untilEveryThreadWorks(be, 20_000);
    const chunksWarm = be.chunksByThread();
    const a = tensor(Float32Array.from(input.a), [input.m, input.k], { backend: be });
    const b = tensor(Float32Array.from(input.b), [input.n, input.k], { backend: be });
    const x = tensor(Float32Array.from(input.x), [input.rows, input.cols], { backend: be });
    // the page's thread spins through chunks while woken workers get going: repeat until a
    // worker took part in the product that is returned (the first try, nearly always)
    let product: number[] = [];
    let chunksDuring: number[] = [];
    let tries = 0;
    do {
      const before = be.chunksByThread();
      product = Array.from(await matmul(a, b, { transB: true }).data());
      chunksDuring = be.chunksByThread().map((c, i) => c - before[i]!);
      tries++;
    } while (chunksDuring.slice(1).every((c) => c === 0) && tries < MAX_TRIES);
    return {
      crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      registered: { threads: registered.threads, device: registered.capabilities.device },
      threads: be.threads,
      chunksWarm,
      chunksDuring,
      product,
      sumRows: Array.from(await sum(x, 1).data()),
      sumCols: Array.from(await sum(x, 0).data()),
    };
  } finally {
    be.dispose();
    registered.dispose();
  }
});
