import { defineProject } from 'vitest/config';
import { packageProject } from '@edora/vitest-preset';

// lavapipe compiles each shader variant with LLVM at its first dispatch (seconds on 2 shared
// cores; Mesa caches them on disk afterwards), and the conformance matmul test meets ~10 GEMM
// variants in one test: a longer per-test limit than the preset's 60 s.
export default defineProject(packageProject('backend-webgpu', { testTimeout: 300_000 }));
