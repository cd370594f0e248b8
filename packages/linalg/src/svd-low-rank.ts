import type { Tensor } from '@edora/tensor';
import { randomizedSvd, resolveRandomizedOptions, type RandomizedSvdOptions } from './host/randomized.js';
import type { HostSVD } from './host/svd.js';
import { TensorOperator } from './tensor-operator.js';
import { assertMatrix, fromHost, vectorFromHost } from './tensor-io.js';

export type { RandomizedSvdOptions } from './host/randomized.js';

/** A (truncated) SVD as tensors on the input's backend and dtype: A ≈ U · diag(S) · Vt. */
export interface SVDResult {
  /** [m, k], orthonormal columns; the largest-|·| entry of every column is positive. */
  readonly U: Tensor;
  /** [k], descending, ≥ 0. */
  readonly S: Tensor;
  /** [k, n], orthonormal rows. */
  readonly Vt: Tensor;
}

/**
 * Top-k SVD of a 2-D tensor by randomized subspace iteration (Halko–Martinsson–Tropp). The products
 * with A run on A's backend; re-orthonormalization and the (k+p)-sized SVD run on the host in
 * float64. Deterministic for a given seed, on every backend.
 *
 * @throws ShapeError (A not 2-D), DTypeError (not float), ArgumentError (k outside [1, min(m, n)],
 *   bad options), NonFiniteError (NaN/Inf in A).
 */
export async function svdLowRank(a: Tensor, k: number, opts: RandomizedSvdOptions = {}): Promise<SVDResult> {
  assertMatrix(a, 'svdLowRank');
  resolveRandomizedOptions(a.shape[0]!, a.shape[1]!, k, opts); // validate before any work
  const r = await randomizedSvd(new TensorOperator(a, 'svdLowRank'), k, opts);
  return svdToTensors(r, a);
}

/** Writes a host SVD back as tensors on `like`'s backend and dtype. */
export function svdToTensors(r: HostSVD, like: Tensor): SVDResult {
  const dtype = like.dtype === 'float64' ? 'float64' : 'float32';
  return {
    U: fromHost(r.U, like.backend, dtype),
    S: vectorFromHost(r.S, like.backend, dtype),
    Vt: fromHost(r.Vt, like.backend, dtype),
  };
}
