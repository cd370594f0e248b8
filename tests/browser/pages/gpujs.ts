/**
 * @edora/backend-gpujs on the page's WebGL2 (gpu.js's WebGL2Kernel; ANGLE on SwiftShader in
 * headless Chromium): `@edora/tensor`'s whole conformance suite, then the tiny RoBERTa + EDoRA
 * steps (tiny-roberta-edora.ts), with the host-fallback and compile counts of that run.
 */
import { backendStats, type FallbackCounts } from '@edora/tensor';
import { runConformance } from '@edora/tensor/conformance';
import { GpujsBackend, type CompileStats } from '@edora/backend-gpujs';
import { expose } from './expose.js';
import { runCollected, type TestOutcome } from './in-page-vitest.js';
import { precisionOutputs } from './gpujs-precision.js';
import { tinyRobertaEdoraSteps, type EdoraStepsOptions, type EdoraStepsResult } from './tiny-roberta-edora.js';

export interface GpujsPageResult {
  /** gpu.js's kernel class ('webgl2' where the page has WebGL2). */
  mode: string;
  webgl2: boolean;
  conformance: TestOutcome[];
  /** gpujs-precision.ts's probes, computed on WebGL2 (the test compares them with float64). */
  precision: Record<string, number[]>;
  roberta: EdoraStepsResult & {
    fallbacks: FallbackCounts;
    /** compileStats() before the steps, after them, and after a second run of the same steps. */
    compiles: { before: CompileStats; first: CompileStats; second: CompileStats };
  };
}

expose(async (options: EdoraStepsOptions): Promise<GpujsPageResult> => {
  const webgl2 = document.createElement('canvas').getContext('webgl2') !== null;
  // the suite creates and disposes its own backend
  runConformance({ name: 'gpujs (WebGL2) in Chromium', create: () => new GpujsBackend({ name: 'gpujs-conformance', mode: 'webgl2' }) });
  const conformance = await runCollected();

  const backend = new GpujsBackend({ mode: 'webgl2' });
  try {
    const precision = await precisionOutputs(backend);
    const before = backend.compileStats();
    const result = await tinyRobertaEdoraSteps(backend, options);
    const first = backend.compileStats();
    const fallbacks = backendStats(backend).fallbacks;
    await tinyRobertaEdoraSteps(backend, options); // the same shapes again: nothing to compile
    return { mode: backend.mode, webgl2, conformance, precision, roberta: { ...result, fallbacks, compiles: { before, first, second: backend.compileStats() } } };
  } finally {
    backend.dispose();
  }
});
