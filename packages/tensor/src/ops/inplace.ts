import type { OpAttrs } from '../backend/contract.js';
import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError } from '../errors.js';
import { broadcastStrides, sameShape, shapeStr } from '../shape.js';
import { makeView, type Tensor } from '../tensor.js';
import { backendOf, composite, fusedEnabled, runOpInto } from './dispatch.js';
import { scalarLike } from './creation.js';
import { rawBinary, rawUnary } from './elementwise.js';

/**
 * Writes `value` (broadcast to target's shape, cast to its dtype) into `target`'s memory.
 * The one sanctioned mutation: optimizers, weight loading and merges use it. Views of the same
 * storage observe the change; autograd does not track it.
 */
export function assign(target: Tensor, value: Tensor | number): void {
  noGrad(() => {
    const v = typeof value === 'number' ? scalarLike(target, value) : value;
    backendOf('assign', [target, v]);
    const view = sameShape(v.shape, target.shape) ? v : makeView(v, target.shape, broadcastStrides(v.shape, v.strides, target.shape, 'assign'), v.offset);
    runOpInto(view.dtype === target.dtype ? 'copy' : 'cast', [view], [target], {});
    if (view !== v) view.dispose();
    if (v !== value) v.dispose();
  });
}

/**
 * One AdamW step (PyTorch semantics, decoupled weight decay) updating param, m and v in place.
 * Fused when the backend has `adamw`, otherwise composed from elementwise ops.
 */
export function adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, attrs: OpAttrs['adamw']): void {
  for (const t of [grad, m, v]) {
    if (!sameShape(t.shape, param.shape)) {
      throw new ShapeError(`adamwStep: param ${shapeStr(param.shape)}, grad/m/v ${shapeStr(t.shape)} must have equal shapes`);
    }
  }
  const backend = backendOf('adamwStep', [param, grad, m, v]);
  const dense = [param, grad, m, v].every((t) => t.isContiguous);
  if (dense && fusedEnabled(backend, 'adamw', [param.dtype])) {
    runOpInto('adamw', [param, grad, m, v], [param, m, v], attrs);
    return;
  }
  noGrad(() => composite(backend, 'adamw', () => {
    const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
    const s = (x: number): Tensor => scalarLike(param, x);
    const decayed = rawBinary('mul', param, s(1 - lr * weightDecay));
    const m1 = rawBinary('add', rawBinary('mul', m, s(beta1)), rawBinary('mul', grad, s(1 - beta1)));
    const v1 = rawBinary('add', rawBinary('mul', v, s(beta2)), rawBinary('mul', rawUnary('square', grad), s(1 - beta2)));
    const bc1 = 1 - Math.pow(beta1, step);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    const denom = rawBinary('add', rawBinary('div', rawUnary('sqrt', v1), s(bc2Sqrt)), s(eps));
    const upd = rawBinary('mul', rawBinary('div', m1, denom), s(lr / bc1));
    assign(param, rawBinary('sub', decayed, upd));
    assign(m, m1);
    assign(v, v1);
  }));
}
