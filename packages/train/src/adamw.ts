import { adamwStep, keep, zerosLike, type Tensor } from '@edora/tensor';
import { TrainOptionError } from './errors.js';

/** A named tensor the optimizer updates; the name keys its state in checkpoints. */
export interface NamedParameter {
  name: string;
  tensor: Tensor;
}

export interface ParamGroup {
  /** Names the group in logs and checkpoints ("head", "adapter"). */
  name: string;
  params: NamedParameter[];
  lr: number;
  /** Decoupled weight decay of this group; default the optimizer's. */
  weightDecay?: number;
}

export interface AdamWOptions {
  betas?: [number, number];
  eps?: number;
  /** PyTorch's AdamW default, 0.01, is what the EDoRA authors' runs used on every group. */
  weightDecay?: number;
}

/** Per-parameter optimizer state: PyTorch keeps a step count per parameter, so do we. */
export interface AdamWParamState {
  step: number;
  m: Tensor;
  v: Tensor;
}

/** The host-side part of the optimizer state (tensors are checkpointed separately by name). */
export interface AdamWStateMeta {
  steps: Record<string, number>;
  groups: { name: string; lr: number; weightDecay: number }[];
}

function checkPositive(name: string, value: number, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TrainOptionError(`AdamW: expected ${name} to be a ${allowZero ? 'non-negative' : 'positive'} finite number; found ${value}`);
  }
}

/**
 * AdamW exactly as torch.optim.AdamW (amsgrad off, maximize off): decay the parameter by
 * (1 − lr·wd), then the bias-corrected Adam update. Each group has its own base learning rate;
 * `step(scale)` multiplies every group's lr by the schedule's factor, as LambdaLR does.
 * A parameter whose grad is null is skipped and its step count does not advance (as in PyTorch).
 */
export class AdamW {
  readonly groups: readonly Required<ParamGroup>[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly state = new Map<string, AdamWParamState>();

  constructor(groups: ParamGroup[], options: AdamWOptions = {}) {
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    for (const [name, b] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new TrainOptionError(`AdamW: expected ${name} in [0, 1); found ${b}`);
    }
    const eps = options.eps ?? 1e-8;
    checkPositive('eps', eps);
    const defaultWd = options.weightDecay ?? 0.01;
    checkPositive('weightDecay', defaultWd, true);
    const seen = new Set<string>();
    const seenTensors = new Set<Tensor>();
    this.groups = groups.map((g) => {
      checkPositive(`lr of group "${g.name}"`, g.lr, true);
      const weightDecay = g.weightDecay ?? defaultWd;
      checkPositive(`weightDecay of group "${g.name}"`, weightDecay, true);
      for (const p of g.params) {
        if (seen.has(p.name)) throw new TrainOptionError(`AdamW: parameter name "${p.name}" appears twice; every parameter must be in exactly one group under one name`);
        if (seenTensors.has(p.tensor)) throw new TrainOptionError(`AdamW: parameter "${p.name}" is the same tensor as another parameter; pass it once`);
        seen.add(p.name);
        seenTensors.add(p.tensor);
      }
      return { name: g.name, params: [...g.params], lr: g.lr, weightDecay };
    });
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  /** Every parameter of every group, in group order. */
  parameters(): NamedParameter[] {
    return this.groups.flatMap((g) => g.params);
  }

  /** One update of every parameter that has a gradient, with each group's lr times `lrScale`. */
  step(lrScale = 1): void {
    for (const g of this.groups) {
      const lr = g.lr * lrScale;
      for (const p of g.params) {
        const grad = p.tensor.grad;
        if (!grad) continue;
        const s = this.stateOf(p);
        s.step += 1;
        adamwStep(p.tensor, grad, s.m, s.v, {
          lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: g.weightDecay, step: s.step,
        });
      }
    }
  }

  /** Drops every gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.tensor.grad?.dispose();
      p.tensor.grad = null;
    }
  }

  /** The state of a parameter, created (zeros, step 0) on first use. */
  stateOf(p: NamedParameter): AdamWParamState {
    let s = this.state.get(p.name);
    if (!s) {
      s = { step: 0, m: keep(zerosLike(p.tensor)), v: keep(zerosLike(p.tensor)) };
      this.state.set(p.name, s);
    }
    return s;
  }

  /** The moment tensors by name, `<param>.exp_avg` and `<param>.exp_avg_sq` (PyTorch's state keys), for checkpoints. */
  momentTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const p of this.parameters()) {
      const s = this.stateOf(p);
      out.set(`${p.name}.exp_avg`, s.m);
      out.set(`${p.name}.exp_avg_sq`, s.v);
    }
    return out;
  }

  meta(): AdamWStateMeta {
    const steps: Record<string, number> = {};
    for (const p of this.parameters()) steps[p.name] = this.state.get(p.name)?.step ?? 0;
    return { steps, groups: this.groups.map((g) => ({ name: g.name, lr: g.lr, weightDecay: g.weightDecay })) };
  }

  /** Restores step counts (moment values are written into `momentTensors()` by the caller). */
  loadMeta(meta: AdamWStateMeta): void {
    const names = this.parameters().map((p) => p.name);
    const missing = names.filter((n) => !(n in meta.steps));
    const extra = Object.keys(meta.steps).filter((n) => !names.includes(n));
    if (missing.length || extra.length) {
      throw new TrainOptionError(`AdamW.loadMeta: parameter names differ; missing: ${missing.join(', ') || '(none)'}; unexpected: ${extra.join(', ') || '(none)'}`);
    }
    for (const p of this.parameters()) this.stateOf(p).step = meta.steps[p.name]!;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const s of this.state.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.state.clear();
  }
}
