import { describe } from 'vitest';
import { runConformance } from '@edora/tensor/conformance';
import { noStandinReason, standinBackend, standinCublas } from './standin.js';

// The suite every backend runs, here against the stand-in driver: the csrc/ kernels compiled for
// the host, launched through the real bindings (launch geometry, parameter packing, memory). The
// GPU itself (PTX, warps, atomics, speed) is checked only by bench/gpu-run.sh on a real GPU.
describe.skipIf(noStandinReason !== null)(`cuda conformance on the stand-in driver, own SGEMM${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  runConformance({ name: 'cuda (stand-in, own SGEMM)', create: () => standinBackend() });
});

// The same suite with GEMMs through cuBLAS's entry points (the stand-in libcublas: a reference
// column-major GEMM that checks cuBLAS's argument rules), which covers the row-major operand swap.
describe.skipIf(noStandinReason !== null)(`cuda conformance on the stand-in driver, cuBLAS path${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  runConformance({
    name: 'cuda (stand-in, cuBLAS entry points)',
    create: async () => {
      const b = await standinBackend({ cublasPath: standinCublas });
      if (b.gemm.library !== 'cublas') throw new Error(`expected the stand-in cuBLAS to load: ${JSON.stringify(b.gemm)}`);
      return b;
    },
  });
});
