import type { ProgramSpec } from '../programs.js';

/** Which of AdamW's three updated tensors a kernel writes. */
export type AdamwOutput = 'param' | 'm' | 'v';

/**
 * One AdamW output, elementwise (the cpu backend's formula: decoupled weight decay first, then the
 * bias-corrected step). Arguments (param, grad, m, v, beta1, beta2, lrWd, stepSize, bc2Sqrt, eps):
 * the scalars are arguments, so every step reuses the same three compiled kernels per size.
 */
export function adamwSpec(which: AdamwOutput, n: number): ProgramSpec {
  const value = {
    m: 'mi',
    v: 'vi',
    param: '(p - lrWd * p) - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)',
  }[which];
  return {
    outputLength: n,
    source: `function (param, grad, m, v, beta1, beta2, lrWd, stepSize, bc2Sqrt, eps) {
const i = this.thread.x;
const g = grad[i];
const p = param[i];
const mi = beta1 * m[i] + (1.0 - beta1) * g;
const vi = beta2 * v[i] + (1.0 - beta2) * g * g;
return ${value};
}`,
  };
}
