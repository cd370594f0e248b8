import type { HostMatrix } from './matrix.js';

/**
 * A matrix A (m×n) seen only through products, so the big operand can stay where it lives (a GPU
 * buffer, a tensor on any backend) while the thin blocks come to the host in float64.
 *
 * Blocks travel as rows: a block of l vectors of length m is an l×m HostMatrix, the transpose of
 * the textbook m×l block. Each vector is then contiguous, which is what the host's column-oriented
 * factorizations (the LU and QR of a block) want, and no block is transposed between a product and
 * its normalization. A product writes its result into `out` when given one (l×n or l×m entries,
 * which it then returns; a caller iterating reuses its blocks instead of allocating ~1000 of them
 * per model) or else into a fresh array, and does not keep its argument once the returned promise
 * has settled (the caller may then overwrite it).
 */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** (A·Ω)ᵀ, l×m, for an n×l standard-normal Ω drawn from `seed` (the operator owns the random source). */
  sketch(l: number, seed: number): Promise<HostMatrix>;
  /** X·A for an l×m block X: (Aᵀ·Xᵀ)ᵀ, l×n. */
  timesA(x: HostMatrix, out?: Float64Array): Promise<HostMatrix>;
  /** X·Aᵀ for an l×n block X: (A·Xᵀ)ᵀ, l×m. */
  timesAT(x: HostMatrix, out?: Float64Array): Promise<HostMatrix>;
}
