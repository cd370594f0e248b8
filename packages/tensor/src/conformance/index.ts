/**
 * `@edora/tensor/conformance`: the suite every backend runs. In a vitest file:
 *
 *   import { runConformance } from '@edora/tensor/conformance';
 *   runConformance({ name: 'webgpu', create: () => createWebGpuBackend(...) });
 *
 * Every tier-0 op is checked at the contract level (views handed straight to `backend.run`)
 * against float64 references on random shapes, transposed / sliced / broadcast views, empty and
 * size-1 dims; tier-1 fused ops are checked when the backend provides them (a skip says so) and
 * the core's composite fallbacks are checked on the backend too; every differentiable op gets a
 * finite-difference gradient check; a support matrix is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendV1 } from '../backend/contract.js';
import type { DType } from '../dtype.js';
import type { Tolerance } from './assert.js';
import type { SuiteContext } from './suite-context.js';
import { defineContractTests } from './contract-tests.js';
import { defineGradientTests } from './gradient-tests.js';
import { defineFusedTests } from './fused-tests.js';
import { printSupportMatrix } from './support-matrix.js';

export { gradCheck, type GradCheckOptions, type GradCheckResult } from './gradcheck.js';
export { hostRng, randomArray } from './random-data.js';
export * from './reference.js';
export { expectClose, readF64, type Tolerance } from './assert.js';
export type { SuiteContext } from './suite-context.js';

export interface ConformanceOptions {
  name: string;
  create: () => BackendV1 | Promise<BackendV1>;
  /** Per-dtype tolerances; defaults: float32 rtol 2e-6 atol 1e-6 (scaled by √K for products), float64 1e-12. */
  tolerance?: Partial<Record<DType, Tolerance>>;
  /** Tests to skip, each with its reason (printed). Keys are test titles. */
  skip?: Record<string, string>;
}

export function runConformance(options: ConformanceOptions): void {
  let backend: BackendV1 | null = null;
  const tolerance: Record<DType, Tolerance> = {
    float32: { rtol: 2e-6, atol: 1e-6 },
    float64: { rtol: 1e-12, atol: 1e-12 },
    int32: { rtol: 0, atol: 0 },
    ...options.tolerance,
  };
  const ctx: SuiteContext = {
    backend: () => {
      if (!backend) throw new Error('conformance: backend not created');
      return backend;
    },
    tol: (dtype, scale = 1) => ({ rtol: tolerance[dtype].rtol * scale, atol: tolerance[dtype].atol * scale }),
    skip: (title) => options.skip?.[title],
  };
  describe(`conformance: ${options.name}`, () => {
    beforeAll(async () => {
      backend = await options.create();
      printSupportMatrix(backend);
    });
    afterAll(async () => {
      await backend?.dispose();
      backend = null;
    });
    it('implements BackendV1', () => {
      const b = ctx.backend();
      expect(b.apiVersion).toBe(1);
      expect(typeof b.name).toBe('string');
      expect(b.capabilities.maxBufferBytes).toBeGreaterThan(0);
    });
    defineContractTests(ctx);
    defineFusedTests(ctx);
    defineGradientTests(ctx);
  });
}
