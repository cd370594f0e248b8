import { runConformance } from '@edora/tensor/conformance';
import { createWasmBackend } from '../src/node.js';

// The suite every backend runs, on two threads with every product forced through the workers
// (the suite's shapes are all below the size where the backend would wake them on its own).
runConformance({ name: 'wasm', create: () => createWasmBackend({ threads: 2, parallelMinFlops: 0 }) });
