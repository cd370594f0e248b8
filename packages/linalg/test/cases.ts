// The matrices every SVD test runs on (the list of the issue), with what is known about each.
import type { HostMatrix } from '../src/host/matrix.js';
import { gaussian, roundF32, withSingularValues } from './reference.js';

export interface Case {
  readonly name: string;
  /** float32-representable entries, as a float32 tensor would hold them. */
  readonly a: HostMatrix;
  /** Singular values used to build it, when known in closed form (before float32 rounding). */
  readonly sigma?: readonly number[];
  /** Numerical rank when it is less than min(m, n). */
  readonly rank?: number;
  /**
   * No decay at the top of the spectrum (σ_1/σ_{k+p} near 1): randomized subspace iteration
   * converges like (σ_{l+1}/σ_k)^(2q+1), so its singular values need more power iterations.
   */
  readonly flat?: boolean;
}

const geometric = (n: number, first: number, last: number) =>
  Array.from({ length: n }, (_, i) => first * (last / first) ** (n === 1 ? 0 : i / (n - 1)));

export const CASES: readonly Case[] = [
  { name: 'random Gaussian 40×30', a: roundF32(gaussian(40, 30, 1)), flat: true },
  { name: 'decaying spectrum 50×40 (σ_i = 0.7^i)', a: roundF32(withSingularValues(50, 40, Array.from({ length: 40 }, (_, i) => 0.7 ** i), 2)), sigma: Array.from({ length: 40 }, (_, i) => 0.7 ** i) },
  { name: 'rank-deficient 30×20 (rank 5)', a: roundF32(withSingularValues(30, 20, [5, 4, 3, 2, 1], 3)), sigma: [5, 4, 3, 2, 1], rank: 5 },
  { name: 'repeated singular values 25×25', a: roundF32(withSingularValues(25, 25, [...Array(4).fill(3), ...Array(6).fill(2), ...Array(15).fill(0.5)], 4)), sigma: [...Array(4).fill(3), ...Array(6).fill(2), ...Array(15).fill(0.5)] },
  { name: 'tall 200×12', a: roundF32(gaussian(200, 12, 5)) },
  { name: 'wide 12×200', a: roundF32(gaussian(12, 200, 6)) },
  { name: '1×n (1×17)', a: roundF32(gaussian(1, 17, 7)) },
  { name: 'n×1 (9×1)', a: roundF32(gaussian(9, 1, 8)) },
  { name: 'zero 10×7', a: { rows: 10, cols: 7, data: new Float64Array(70) }, sigma: Array(7).fill(0), rank: 0 },
  { name: 'ill-conditioned κ = 1e6, 40×30', a: roundF32(withSingularValues(40, 30, geometric(30, 1, 1e-6), 9)), sigma: geometric(30, 1, 1e-6) },
];
