import { ArgumentError } from '@edora/tensor';
import { blockKrylovBasis } from './block-krylov.js';
import type { LinearOperator } from './linear-operator.js';
import { matmulNT, sliceColumns, sliceRows, transpose, type HostMatrix } from './matrix.js';
import { NORMALIZERS, normalize, type Normalizer } from './normalize.js';
import { qr } from './qr.js';
import { flipSigns, svd, type HostSVD } from './svd.js';

export interface RandomizedSvdOptions {
  /** Extra sketch columns beyond k (scikit-learn's n_oversamples). Default 10. */
  oversamples?: number;
  /**
   * Power (subspace) iterations. Default: scikit-learn's 'auto' rule — 7 when k < 0.1·min(m, n),
   * else 4. The EDoRA authors ran 10.
   */
  powerIters?: number;
  /**
   * Re-normalization between power iterations (method 'subspace'; Krylov blocks always use QR).
   * Default 'lu', as scikit-learn's randomized_svd: a quarter of QR's host work, same span.
   */
  normalizer?: Normalizer;
  /** Seed of the Gaussian test matrix. Default 0. */
  seed?: number;
  /**
   * 'subspace' (default): subspace iteration, the reference's algorithm. 'krylov': block Krylov —
   * keeps every iterate, so `powerIters` Krylov steps with blocks of k + oversamples columns give a
   * basis of (k + oversamples)·(powerIters + 1) columns; steps stop once it reaches min(m, n) columns.
   */
  method?: 'subspace' | 'krylov';
}

export interface ResolvedRandomizedOptions {
  readonly k: number;
  readonly l: number;
  readonly powerIters: number;
  readonly normalizer: Normalizer;
  readonly seed: number;
  readonly method: 'subspace' | 'krylov';
}

/** Validates k and the options against an m×n matrix and fills the defaults. */
export function resolveRandomizedOptions(
  m: number,
  n: number,
  k: number,
  opts: RandomizedSvdOptions = {},
  op = 'svdLowRank',
): ResolvedRandomizedOptions {
  const minDim = Math.min(m, n);
  if (!Number.isInteger(k) || k < 1 || k > minDim) {
    throw new ArgumentError(`${op}: k must be an integer in [1, min(m, n) = ${minDim}] for a ${m}×${n} matrix, got ${k}`);
  }
  const oversamples = opts.oversamples ?? 10;
  if (!Number.isInteger(oversamples) || oversamples < 0) {
    throw new ArgumentError(`${op}: oversamples must be a non-negative integer, got ${oversamples}`);
  }
  const powerIters = opts.powerIters ?? (k < 0.1 * minDim ? 7 : 4);
  if (!Number.isInteger(powerIters) || powerIters < 0) {
    throw new ArgumentError(`${op}: powerIters must be a non-negative integer, got ${powerIters}`);
  }
  const normalizer = opts.normalizer ?? 'lu';
  if (!NORMALIZERS.includes(normalizer)) {
    throw new ArgumentError(`${op}: normalizer must be one of ${NORMALIZERS.join(', ')}, got ${String(normalizer)}`);
  }
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ArgumentError(`${op}: seed must be an integer, got ${seed}`);
  const method = opts.method ?? 'subspace';
  if (method !== 'subspace' && method !== 'krylov') {
    throw new ArgumentError(`${op}: method must be one of subspace, krylov, got ${String(method)}`);
  }
  const l = Math.min(k + oversamples, minDim);
  // Once a Krylov basis has min(m, n) columns it spans all of range(A) and the result is exact:
  // further steps would only cost. (Columns beyond rank(A) are harmless noise directions.)
  const iters = method === 'krylov' ? Math.min(powerIters, Math.ceil(minDim / l) - 1) : powerIters;
  return { k, l, powerIters: iters, normalizer, seed, method };
}

/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011). With method 'subspace' (Alg. 4.4,
 * normalized as scikit-learn's randomized_range_finder does):
 *   Y = A Ω;  repeat q times: Y = A · norm(Aᵀ · norm(Y));  Q = qr(Y);
 * with 'krylov', Q is the block Krylov basis (see blockKrylovBasis). Then, for both:
 *   Bᵀ = Aᵀ Q;  Bᵀ = Ũ Σ Ṽᵀ  ⇒  A ≈ (Q Ṽ) Σ Ũᵀ.
 * Only the products touch A; everything else is O((m + n)·l²) on the host in float64.
 * Returns the top k triplets with `flipSigns`' convention.
 */
export async function randomizedSvd(op: LinearOperator, k: number, opts: RandomizedSvdOptions = {}): Promise<HostSVD> {
  const o = resolveRandomizedOptions(op.rows, op.cols, k, opts, 'randomizedSvd');
  const q = o.method === 'krylov' ? await blockKrylovBasis(op, o.l, o.powerIters, o.seed) : await subspaceBasis(op, o);
  const bt = await op.applyT(q);
  const small = svd(bt); // bt = Ũ Σ Ṽᵀ with Ũ = small.U (n×l), Ṽᵀ = small.Vt (l×l)
  const U = sliceColumns(matmulNT(q, small.Vt), 0, o.k); // Q Ṽ
  const Vt = sliceRows(transpose(small.U), 0, o.k);
  return flipSigns({ U, S: small.S.slice(0, o.k), Vt });
}

async function subspaceBasis(op: LinearOperator, o: ResolvedRandomizedOptions): Promise<HostMatrix> {
  let y = await op.sketch(o.l, o.seed);
  for (let it = 0; it < o.powerIters; it++) {
    const z = await op.applyT(normalize(y, o.normalizer));
    y = await op.apply(normalize(z, o.normalizer));
  }
  return qr(y).Q;
}
