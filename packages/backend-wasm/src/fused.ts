import type { OpAttrs, OpName, TensorView } from '@edora/tensor';
import type { WasmBuffer } from './gemm.js';
import type { KernelExports } from './module.js';
import type { RowTasks } from './row-tasks.js';

/** Dense row-major float32 (dims of size 1 may carry any stride). */
export function dense(v: TensorView): boolean {
  if (v.dtype !== 'float32') return false;
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i]!;
  }
  return true;
}

/** The unary functions of csrc/unary.c (bit-identical to the cpu kernel; the others stay there). */
const UNARY: Partial<Record<OpAttrs['unary']['fn'], number>> = { neg: 0, abs: 1, square: 2, sqrt: 3 };

export const addr = (v: TensorView): number => (v.buffer as WasmBuffer).ptr + v.offset * 4;
const numel = (v: TensorView): number => v.shape.reduce((p, s) => p * s, 1);
const lastDim = (v: TensorView): number => v.shape[v.shape.length - 1] ?? 1;

/**
 * Runs a tier-1 op (or a unary gelu, neg, abs, square, sqrt) through its wasm kernel (csrc/fused.c) when there is one and the views are
 * dense float32; returns false to let the caller run the cpu kernel instead.
 */
export function runFused(
  k: KernelExports, rowTasks: RowTasks, op: OpName, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: unknown,
): boolean {
  if (!inputs.every(dense) || !outputs.every(dense)) return false;
  // elementwise kernels need equal shapes (a broadcast input is not dense, so it never gets here)
  if ((op === 'unary' || op === 'geluBackward' || op === 'softmax' || op === 'softmaxBackward' || op === 'dropout') && !inputs.every((v) => numel(v) === numel(outputs[0]!))) {
    return false;
  }
  switch (op) {
    case 'adamw': {
      const [p, g, m, v] = inputs as [TensorView, TensorView, TensorView, TensorView];
      const a = attrs as OpAttrs['adamw'];
      // bias corrections exactly as the cpu kernel folds them
      const stepSize = a.lr / (1 - Math.pow(a.beta1, a.step));
      const bc2Sqrt = Math.sqrt(1 - Math.pow(a.beta2, a.step));
      k.adamw_f32(addr(p), addr(g), addr(m), addr(v), numel(p), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, stepSize, bc2Sqrt);
      return true;
    }
    case 'unary': {
      const fn = (attrs as OpAttrs['unary']).fn;
      if (fn === 'gelu') {
        rowTasks.run('GELU', addr(inputs[0]!), 0, addr(outputs[0]!), numel(outputs[0]!), 1);
        return true;
      }
      const code = UNARY[fn];
      if (code === undefined) return false;
      k.unary_f32(code, addr(inputs[0]!), addr(outputs[0]!), numel(outputs[0]!));
      return true;
    }
    case 'geluBackward': {
      const [x, dy] = inputs as [TensorView, TensorView];
      rowTasks.run('GELU_BACKWARD', addr(x), addr(dy), addr(outputs[0]!), numel(x), 1);
      return true;
    }
    case 'softmax': {
      const [x] = inputs as [TensorView];
      const d = lastDim(x);
      if (d === 0) return true;
      rowTasks.run('SOFTMAX', addr(x), 0, addr(outputs[0]!), numel(x) / d, d);
      return true;
    }
    case 'softmaxBackward': {
      const [y, dy] = inputs as [TensorView, TensorView];
      const d = lastDim(y);
      if (d === 0) return true;
      rowTasks.run('SOFTMAX_BACKWARD', addr(y), addr(dy), addr(outputs[0]!), numel(y) / d, d);
      return true;
    }
    case 'random': {
      const a = attrs as OpAttrs['random'];
      const o = outputs[0]!;
      const n = numel(o);
      // counters and seeds must be exact integers for the C side's 64-bit words
      const exact = Number.isSafeInteger(a.seed) && a.seed >= 0 && Number.isSafeInteger(a.offset + n) && a.offset >= 0;
      if (a.dist === 'normal' || !exact) return false;
      const low = a.low ?? 0;
      rowTasks.random(addr(o), n, a.offset, a.seed, a.dist === 'bernoulli', low, (a.high ?? 1) - low, a.p ?? 0.5);
      return true;
    }
    case 'dropout': {
      const a = attrs as OpAttrs['dropout'];
      const [x] = inputs as [TensorView];
      const n = numel(x);
      const exact = Number.isSafeInteger(a.seed) && a.seed >= 0 && Number.isSafeInteger(a.offset + n) && a.offset >= 0;
      if (!exact) return false;
      rowTasks.dropout(addr(x), addr(outputs[0]!), n, a.offset, a.seed, a.keep, a.scale);
      return true;
    }
    case 'rowNorm': {
      const [w] = inputs as [TensorView];
      const d = lastDim(w);
      k.rownorm_f32(addr(w), addr(outputs[0]!), d === 0 ? 0 : numel(w) / d, d);
      return true;
    }
    case 'layerNorm': {
      const [x, gamma, beta] = inputs as [TensorView, TensorView, TensorView];
      const [y, mean, rstd] = outputs as [TensorView, TensorView, TensorView];
      const d = lastDim(x);
      if (d === 0) return false;
      k.layernorm_f32(addr(x), addr(gamma), addr(beta), addr(y), addr(mean), addr(rstd), numel(x) / d, d, (attrs as OpAttrs['layerNorm']).eps);
      return true;
    }
    case 'layerNormBackward': {
      const [x, gamma, mean, rstd, dy] = inputs as [TensorView, TensorView, TensorView, TensorView, TensorView];
      const [dx, dgamma, dbeta] = outputs as [TensorView, TensorView, TensorView];
      const d = lastDim(x);
      if (d === 0) return false;
      // five rows of doubles: the dγ and dβ accumulators, the current row's x̂ and dy·γ, and γ
      const scratch = rowTasks.callerScratch(10 * d);
      k.layernorm_backward_f32(addr(x), addr(gamma), addr(mean), addr(rstd), addr(dy), addr(dx), addr(dgamma), addr(dbeta), numel(x) / d, d, scratch);
      return true;
    }
    default:
      return false;
  }
}
