import { runConformance } from '@edora/tensor/conformance';
import { GpujsBackend } from '../src/index.js';

// The whole suite on gpu.js's non-GL path: in Node without the native `gl` module gpu.js runs its
// WebAssembly kernels ('webasm'). The run that counts for WebGL2 is tests/browser (headless Chromium).
runConformance({ name: 'gpujs (webasm in Node)', create: () => new GpujsBackend({ name: 'gpujs-conformance', mode: 'webasm' }) });
