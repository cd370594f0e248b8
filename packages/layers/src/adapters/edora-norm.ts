import { keep, matmul, maximum, mul, noGrad, add, rowNorm, sqrt, square, sum, tidy, type Tensor } from '@edora/tensor';

/**
 * EDoRA's detached row norm n = ‖W + s·B R A‖_row without materializing the out×in update.
 * With A, B frozen, P = W Aᵀ (out×r), G = A Aᵀ (r×r) and ‖W‖²_row are constants, and
 *   n² = ‖W‖² + 2s·rowsum((B R) ⊙ P) + s²·rowsum((B R G) ⊙ (B R)),
 * which costs O(out·r²) per step instead of O(out·in·r).
 */
export class EdoraNormCache {
  private constructor(
    readonly P: Tensor,
    readonly G: Tensor,
    readonly wSq: Tensor,
  ) {}

  /** Precomputes P, G and ‖W‖² from the frozen W [out, in] and A [r, in]. */
  static build(W: Tensor, A: Tensor): EdoraNormCache {
    return noGrad(() =>
      tidy(() => {
        const P = keep(matmul(W, A, { transB: true }));
        const G = keep(matmul(A, A, { transB: true }));
        const wSq = keep(sum(square(W), 1));
        return new EdoraNormCache(P, G, wSq);
      }),
    );
  }

  /**
   * The row norm for the current R and scale s (no gradient), as
   * n² = ‖W‖² + 2s·rowsum((B R) ⊙ (P + (s/2)·(B R) G)): both row sums in one (ten small ops).
   */
  norm(B: Tensor, R: Tensor, s: number): Tensor {
    return noGrad(() =>
      tidy(() => {
        const BR = matmul(B, R); // out×r
        const T = add(this.P, matmul(BR, this.G, { alpha: s / 2 }));
        const n2 = add(this.wSq, mul(sum(mul(BR, T), 1), 2 * s));
        // rounding can push a tiny n² below zero; a norm is never negative
        return sqrt(maximum(n2, 0));
      }),
    );
  }

  dispose(): void {
    this.P.dispose();
    this.G.dispose();
    this.wSq.dispose();
  }
}

/** ‖W + s·B (R) A‖_row by materializing the update (DoRA's way, and EDoRA's naive path). No gradient. */
export function naiveRowNorm(W: Tensor, A: Tensor, B: Tensor, R: Tensor | null, s: number): Tensor {
  return noGrad(() => tidy(() => rowNorm(add(W, mul(lowRankDelta(A, B, R), s)))));
}

/** B·(R)·A, the out×in low-rank product (unscaled); with grad disabled by the callers. */
export function lowRankDelta(A: Tensor, B: Tensor, R: Tensor | null): Tensor {
  return R ? matmul(matmul(B, R), A) : matmul(B, A);
}
