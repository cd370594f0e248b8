import { runConformance } from '@edora/tensor/conformance';
import { createWasmBackend } from '../src/node.js';
import { untilEveryThreadWorks } from './helpers.js';

// The suite every backend runs, on two threads with every product forced through the pool (the
// suite's shapes are all below the size where the backend would wake workers on its own), and
// only once the worker is up, so that its chunks are part of what the suite checks. Reused
// buffers are poisoned (NaN), so a kernel that reads an output before writing it fails a test.
runConformance({
  name: 'wasm',
  create: async () => {
    const be = createWasmBackend({ threads: 2, parallelMinFlops: 0, blas: 'off', poisonReusedMemory: true });
    const chunks = await untilEveryThreadWorks(be);
    if (chunks.some((c) => c === 0)) throw new Error(`wasm worker never took a chunk (chunks by thread: ${chunks.join(', ')})`);
    return be;
  },
});
