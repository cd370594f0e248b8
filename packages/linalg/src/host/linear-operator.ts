import type { HostMatrix } from './matrix.js';

/**
 * A matrix seen only through products, so the big m×n operand can stay where it lives (a GPU
 * buffer, a tensor on any backend) while the small blocks come to the host in float64.
 */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** A·Ω for an n×l standard-normal Ω drawn from `seed` (the operator owns the random source). */
  sketch(l: number, seed: number): Promise<HostMatrix>;
  /** A·X for an n×l block X. */
  apply(x: HostMatrix): Promise<HostMatrix>;
  /** Aᵀ·X for an m×l block X. */
  applyT(x: HostMatrix): Promise<HostMatrix>;
}
