import { add, assign, div, dropout, keep, matmul, mul, noGrad, sub, tidy, unsqueeze, type Tensor } from '@edora/tensor';
import { ShapeError, shapeStr } from '@edora/tensor';
import { Module } from '../module.js';
import type { Linear, LinearLike } from '../linear.js';
import { METHOD_TRAITS, type AdapterMethod, type NormPath } from './methods.js';
import { EdoraNormCache, lowRankDelta, naiveRowNorm } from './edora-norm.js';

/** The factors of one adapted Linear; which exist depends on the method (see METHOD_TRAITS). */
export interface AdapterFactors {
  /** [r, in] */
  A: Tensor;
  /** [out, r] */
  B: Tensor;
  /** [r, r] (EDoRA, LoRA-XS) */
  R?: Tensor;
  /** [out] (DoRA, EDoRA) */
  m?: Tensor;
}

export interface AdaptedLinearOptions {
  method: AdapterMethod;
  r: number;
  alpha: number;
  /** Dropout on the adapter's input (lora_dropout); 0 in the EDoRA setup. */
  dropout?: number;
  /** EDoRA only: 'fast' (default) or 'naive' row norm; both give the same numbers. */
  normPath?: NormPath;
}

/**
 * A frozen Linear plus one low-rank adapter, the same core for every method:
 *
 *   LoRA     y = xWᵀ + b + s·x Aᵀ Bᵀ
 *   LoRA-XS  y = xWᵀ + b + s·x Aᵀ Rᵀ Bᵀ
 *   DoRA     y = b + g ⊙ (xWᵀ + s·x Aᵀ Bᵀ),      g = m / ‖W + s·BA‖_row (detached)
 *   EDoRA    y = b + g ⊙ (xWᵀ + s·x Aᵀ Rᵀ Bᵀ),   g = m / ‖W + s·BRA‖_row (detached)
 *
 * x·Wᵀ is computed once and the bias stays outside g. The wrapped Linear is the child
 * `base_layer` and the factors are `lora_A`, `lora_B`, `lora_latent_mapping` (R) and
 * `lora_magnitude_vector` (m), so module paths read as PEFT's.
 */
export class AdaptedLinear extends Module implements LinearLike {
  readonly method: AdapterMethod;
  readonly r: number;
  readonly alpha: number;
  /** s = alpha / r */
  readonly scaling: number;
  readonly dropoutP: number;
  normPath: NormPath;
  readonly base: Linear;
  readonly loraA: Tensor;
  readonly loraB: Tensor;
  readonly latent: Tensor | null;
  readonly magnitude: Tensor | null;
  private normCache: EdoraNormCache | null = null;
  /** Row norm used by the last merge (DoRA/EDoRA), to undo it exactly as it was done. */
  private mergedNorm: Tensor | null = null;
  private isMerged = false;

  constructor(base: Linear, factors: AdapterFactors, options: AdaptedLinearOptions) {
    super();
    const traits = METHOD_TRAITS[options.method];
    const out = base.outFeatures;
    const inF = base.inFeatures;
    const r = options.r;
    const expect = (name: string, t: Tensor | undefined, shape: number[] | null): void => {
      if (shape === null) {
        if (t) throw new ShapeError(`AdaptedLinear(${options.method}): ${name} is not used by this method, but one was given`);
        return;
      }
      if (!t) throw new ShapeError(`AdaptedLinear(${options.method}): ${name} ${shapeStr(shape)} is required`);
      if (shapeStr(t.shape) !== shapeStr(shape)) {
        throw new ShapeError(`AdaptedLinear(${options.method}): ${name} must be ${shapeStr(shape)} for W [${out}, ${inF}] and r=${r}, got ${shapeStr(t.shape)}`);
      }
    };
    expect('A', factors.A, [r, inF]);
    expect('B', factors.B, [out, r]);
    expect('R', factors.R, traits.hasR ? [r, r] : null);
    expect('m', factors.m, traits.hasMagnitude ? [out] : null);

    this.method = options.method;
    this.r = r;
    this.alpha = options.alpha;
    this.scaling = options.alpha / r;
    this.dropoutP = options.dropout ?? 0;
    this.normPath = options.normPath ?? 'fast';
    this.base = this.registerModule('base_layer', base);
    base.weight.requiresGrad = false;
    if (base.bias) base.bias.requiresGrad = false;
    this.loraA = this.registerParameter('lora_A', factors.A.requiresGrad_(traits.trainsAB));
    this.loraB = this.registerParameter('lora_B', factors.B.requiresGrad_(traits.trainsAB));
    this.latent = factors.R ? this.registerParameter('lora_latent_mapping', factors.R.requiresGrad_(true)) : null;
    this.magnitude = factors.m ? this.registerParameter('lora_magnitude_vector', factors.m.requiresGrad_(true)) : null;
  }

  get inFeatures(): number {
    return this.base.inFeatures;
  }
  get outFeatures(): number {
    return this.base.outFeatures;
  }
  get merged(): boolean {
    return this.isMerged;
  }

  forward(x: Tensor): Tensor {
    if (this.isMerged) return this.base.forward(x);
    return tidy(() => {
      const W = this.base.weight;
      const bias = this.base.bias;
      const xw = matmul(x, W, { transB: true });
      const xd = this.dropoutP > 0 && this.training ? dropout(x, this.dropoutP, { training: true }) : x;
      let u = matmul(xd, this.loraA, { transB: true });
      if (this.latent) u = matmul(u, this.latent, { transB: true });
      // s scales the last product in the same op, as PEFT's `lora_B(…) * scaling` rounds it
      const low = matmul(u, this.loraB, { transB: true, alpha: this.scaling });
      let y: Tensor;
      if (!this.magnitude) {
        y = add(xw, low);
      } else {
        const g = div(this.magnitude, this.weightNorm());
        if (xd === x) {
          y = mul(add(xw, low), g);
        } else {
          // with adapter dropout the W-term and the low-rank term see the dropped x, the base term the original
          const xdw = matmul(xd, W, { transB: true });
          y = add(sub(xw, xdw), mul(add(xdw, low), g));
        }
      }
      return bias ? add(y, bias) : y;
    });
  }

  /**
   * ‖W + ΔW‖_row as a constant (no gradient): DoRA materializes W + s·BA (A, B train, nothing
   * to cache); EDoRA takes the fast path from cached products unless `normPath` is 'naive'.
   */
  weightNorm(): Tensor {
    if (this.latent && this.normPath === 'fast') {
      this.normCache ??= EdoraNormCache.build(this.base.weight, this.loraA);
      return this.normCache.norm(this.loraB, this.latent, this.scaling);
    }
    return naiveRowNorm(this.base.weight, this.loraA, this.loraB, this.latent, this.scaling);
  }

  /**
   * DoRA / EDoRA's per-row scale g = m / ‖W + ΔW‖_row ([out], no gradient), PEFT's
   * `mag_norm_scale`: the factor the forward multiplies xWᵀ + s·x(BRA)ᵀ by, and merging folds
   * into W. Null for LoRA and LoRA-XS, which have no magnitude. While merged, the norm is the one
   * the merge used (that of the unmerged W + ΔW), so the answer does not change by merging.
   */
  magNormScale(): Tensor | null {
    const m = this.magnitude;
    if (!m) return null;
    return noGrad(() => tidy(() => div(m, this.isMerged ? this.mergedNorm! : this.weightNorm())));
  }

  /** s·B(R)A, the update the adapter adds to W (before any magnitude scaling). */
  deltaWeight(): Tensor {
    return noGrad(() => tidy(() => mul(lowRankDelta(this.loraA, this.loraB, this.latent), this.scaling)));
  }

  /**
   * Folds the adapter into W: W' = W + ΔW (LoRA, LoRA-XS) or W' = (m / n)·(W + ΔW) per row with n
   * the row norm of the unmerged W + ΔW (DoRA, EDoRA). Forward then runs the plain Linear.
   */
  merge(): void {
    if (this.isMerged) return;
    noGrad(() =>
      tidy(() => {
        const W = this.base.weight;
        const full = add(W, this.deltaWeight());
        if (this.magnitude) {
          const n = keep(naiveRowNorm(W, this.loraA, this.loraB, this.latent, this.scaling));
          this.mergedNorm = n;
          assign(W, mul(full, unsqueeze(div(this.magnitude, n), 1)));
        } else {
          assign(W, full);
        }
      }),
    );
    this.isMerged = true;
    this.invalidateCaches();
  }

  /** Undoes `merge` with the row norm cached by it: W = W'·(n / m) − ΔW. */
  unmerge(): void {
    if (!this.isMerged) return;
    noGrad(() =>
      tidy(() => {
        const W = this.base.weight;
        const unscaled = this.magnitude && this.mergedNorm ? mul(W, unsqueeze(div(this.mergedNorm, this.magnitude), 1)) : W;
        assign(W, sub(unscaled, this.deltaWeight()));
      }),
    );
    this.mergedNorm?.dispose();
    this.mergedNorm = null;
    this.isMerged = false;
    this.invalidateCaches();
  }

  /** Drops cached products of W and A; called after W or A change in place (loads, merges). */
  invalidateCaches(): void {
    this.normCache?.dispose();
    this.normCache = null;
  }

  protected override afterLoad(): void {
    this.invalidateCaches();
  }
}
