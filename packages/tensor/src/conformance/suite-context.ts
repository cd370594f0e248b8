import type { BackendV1 } from '../backend/contract.js';
import type { DType } from '../dtype.js';
import type { Tolerance } from './assert.js';

/** What the suite's test groups get from `runConformance`: the backend under test, tolerances, skips. */
export interface SuiteContext {
  backend(): BackendV1;
  tol(dtype: DType, scale?: number): Tolerance;
  skip(title: string): string | undefined;
}
