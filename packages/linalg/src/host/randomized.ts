import { ArgumentError } from '@edora/tensor';
import { blockKrylovBasis } from './block-krylov.js';
import type { LinearOperator } from './linear-operator.js';
import { matmul, sliceRows, transpose, type HostMatrix } from './matrix.js';
import { BlockNormalizer, NORMALIZERS, orthonormalRows, type Normalizer } from './normalize.js';
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
 *   B = Qᵀ A;  B = Ũ Σ Ṽᵀ  ⇒  A ≈ (Q Ũ) Σ Ṽᵀ.
 * Only the products touch A; everything else is O((m + n)·l²) on the host in float64. The blocks
 * are held as rows (Yᵀ, Qᵀ; see LinearOperator). Returns the top k triplets with `flipSigns`'
 * convention.
 */
export async function randomizedSvd(op: LinearOperator, k: number, opts: RandomizedSvdOptions = {}): Promise<HostSVD> {
  const o = resolveRandomizedOptions(op.rows, op.cols, k, opts, 'randomizedSvd');
  const qt = o.method === 'krylov' ? await blockKrylovBasis(op, o.l, o.powerIters, o.seed) : await subspaceBasis(op, o);
  const small = svd(await op.timesA(qt)); // B = Qᵀ A = Ũ Σ Ṽᵀ with Ũ = small.U (l×l), Ṽᵀ = small.Vt (l×n)
  const U = transpose(matmul(sliceRows(transpose(small.U), 0, o.k), qt)); // (Q Ũ)[:, :k] = ((Ũ[:, :k])ᵀ Qᵀ)ᵀ
  return flipSigns({ U, S: small.S.slice(0, o.k), Vt: sliceRows(small.Vt, 0, o.k) });
}

/** Qᵀ of the subspace iteration's basis (l×m). */
async function subspaceBasis(op: LinearOperator, o: ResolvedRandomizedOptions): Promise<HostMatrix> {
  const norm = new BlockNormalizer(o.normalizer);
  let yt = await op.sketch(o.l, o.seed);
  // Each product overwrites the previous block of its shape, which the normalizer has consumed.
  let zt: HostMatrix | undefined;
  for (let it = 0; it < o.powerIters; it++) {
    zt = await op.timesA(norm.apply(yt), zt?.data); // (Aᵀ norm(Y))ᵀ
    yt = await op.timesAT(norm.apply(zt), yt.data); // (A norm(Z))ᵀ
  }
  return orthonormalRows(yt);
}
