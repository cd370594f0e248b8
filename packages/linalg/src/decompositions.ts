import type { Tensor } from '@edora/tensor';
import { cholesky as hostCholesky } from './host/cholesky.js';
import { eigh as hostEigh } from './host/eigh.js';
import { qr as hostQr } from './host/qr.js';
import { flipSigns, svd as hostSvd } from './host/svd.js';
import { solveTriangular as hostSolveTriangular, type TriangularSolveOptions } from './host/triangular.js';
import { svdToTensors, type SVDResult } from './svd-low-rank.js';
import { fromHost, toHost, vectorFromHost } from './tensor-io.js';

// Dense factorizations of a tensor. Each reads the matrix to the host, factors it in float64 and
// writes the factors back to the tensor's backend in its dtype: these are O(n³) with little
// parallel structure at the sizes EDoRA meets (≤ 4096), and float64 on the host is what makes
// them accurate to float32 for every input, ill-conditioned ones included.

function dtypeOf(t: Tensor): 'float32' | 'float64' {
  return t.dtype === 'float64' ? 'float64' : 'float32';
}

/**
 * Full (economy) SVD of any m×n matrix: U [m, k], S [k], Vt [k, n] with k = min(m, n). One-sided
 * Jacobi preconditioned by the Gram eigenvectors, in float64; same sign convention as svdLowRank.
 */
export async function svd(a: Tensor): Promise<SVDResult> {
  return svdToTensors(flipSigns(hostSvd(await toHost(a, 'svd'))), a);
}

/** Thin QR: Q [m, k] orthonormal columns, R [k, n] upper triangular with diag ≥ 0, k = min(m, n). */
export async function qr(a: Tensor): Promise<{ Q: Tensor; R: Tensor }> {
  const r = hostQr(await toHost(a, 'qr'));
  return { Q: fromHost(r.Q, a.backend, dtypeOf(a)), R: fromHost(r.R, a.backend, dtypeOf(a)) };
}

/** Symmetric eigendecomposition (lower triangle read): values ascending [n], vectors [n, n] as columns. */
export async function eigh(a: Tensor): Promise<{ values: Tensor; vectors: Tensor }> {
  const r = hostEigh(await toHost(a, 'eigh'));
  return { values: vectorFromHost(r.values, a.backend, dtypeOf(a)), vectors: fromHost(r.vectors, a.backend, dtypeOf(a)) };
}

/** Lower Cholesky factor L with A = L Lᵀ (lower triangle of A read). */
export async function cholesky(a: Tensor): Promise<Tensor> {
  return fromHost(hostCholesky(await toHost(a, 'cholesky')), a.backend, dtypeOf(a));
}

/** Solves T X = B (side 'left') or X T = B (side 'right') for triangular T; returns X. */
export async function solveTriangular(t: Tensor, b: Tensor, opts: TriangularSolveOptions): Promise<Tensor> {
  const [tm, bm] = await Promise.all([toHost(t, 'solveTriangular'), toHost(b, 'solveTriangular')]);
  return fromHost(hostSolveTriangular(tm, bm, opts), b.backend, dtypeOf(b));
}
