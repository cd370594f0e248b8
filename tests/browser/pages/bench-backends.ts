/**
 * The browser benchmark of tests/browser/bench/backends.ts: gpujs (WebGL2), webgpu and wasm in one
 * page and one run, each on the same float32 GEMMs and the same tiny RoBERTa + EDoRA steps, with
 * the share of each backend's op runs that went to the host fallback.
 */
import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
import { backendStats, initBackend, matmul, tensor, type BackendV1 } from '@edora/tensor';
import { GpujsBackend } from '@edora/backend-gpujs';
import { expose } from './expose.js';
import { tinyRobertaEdoraSteps } from './tiny-roberta-edora.js';

export interface BenchInput {
  gemmSizes: number[];
  /** Timed products per size (after one untimed). */
  gemmReps: number;
  /** EDoRA steps (the first is untimed: it compiles shaders). */
  steps: number;
}

export interface BackendBench {
  backend: string;
  device: string;
  /** Median GFLOP/s per size (2·n³ per product, the result read back). */
  gemmGflops: Record<number, number>;
  /** Median ms of the timed EDoRA steps. */
  stepMs: number;
  /** Op runs during the EDoRA steps, and those on the host fallback, by op. */
  opRuns: number;
  hostRuns: Record<string, number>;
}

export interface BenchResult {
  userAgent: string;
  hardwareConcurrency: number;
  results: BackendBench[];
  unavailable: string[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Counts every op the core hands the backend (stand-in copies included). */
function countRuns(backend: BackendV1): () => number {
  let runs = 0;
  const run = backend.run.bind(backend);
  backend.run = ((...args: Parameters<BackendV1['run']>) => {
    runs++;
    run(...args);
  }) as BackendV1['run'];
  return () => runs;
}

async function benchOne(backend: BackendV1, input: BenchInput): Promise<BackendBench> {
  const gemmGflops: Record<number, number> = {};
  for (const n of input.gemmSizes) {
    const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const a = tensor(data, [n, n], { backend });
    const b = tensor(data, [n, n], { backend });
    const times: number[] = [];
    for (let rep = 0; rep <= input.gemmReps; rep++) {
      const start = performance.now();
      const c = matmul(a, b);
      await c.data();
      if (rep > 0) times.push(performance.now() - start);
      c.dispose();
    }
    gemmGflops[n] = (2 * n ** 3) / (median(times) * 1e6);
    a.dispose();
    b.dispose();
  }
  const runs = countRuns(backend);
  const hostBefore = { ...backendStats(backend).fallbacks.host };
  const runsBefore = runs();
  const { stepMs } = await tinyRobertaEdoraSteps(backend, { steps: input.steps, seed: 3, lr: 5e-3 });
  const hostRuns: Record<string, number> = {};
  for (const [op, count] of Object.entries(backendStats(backend).fallbacks.host)) {
    const added = count - (hostBefore[op as keyof typeof hostBefore] ?? 0);
    if (added > 0) hostRuns[op] = added;
  }
  return {
    backend: backend.name, device: backend.capabilities.device, gemmGflops, stepMs: median(stepMs.slice(1)), opRuns: runs() - runsBefore, hostRuns,
  };
}

expose(async (input: BenchInput): Promise<BenchResult> => {
  const results: BackendBench[] = [];
  const unavailable: string[] = [];
  const factories: [string, () => Promise<BackendV1>][] = [
    ['gpujs', () => Promise.resolve(new GpujsBackend({ mode: 'webgl2' }))],
    ['webgpu', () => initBackend('webgpu')],
    ['wasm', () => initBackend('wasm')],
  ];
  for (const [name, create] of factories) {
    let backend: BackendV1;
    try {
      backend = await create();
    } catch (err) {
      unavailable.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    try {
      results.push(await benchOne(backend, input));
    } finally {
      await backend.dispose();
    }
  }
  return { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, results, unavailable };
});
