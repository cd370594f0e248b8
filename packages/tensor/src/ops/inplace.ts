import type { OpAttrs } from '../backend/contract.js';
import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError } from '../errors.js';
import { broadcastStrides, sameShape, shapeStr } from '../shape.js';
import { makeView, type Tensor } from '../tensor.js';
import { backendOf, fusedEnabled } from './dispatch.js';
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
    target.backend.run(view.dtype === target.dtype ? 'copy' : 'cast', [view], [target], {});
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
    backend.run('adamw', [param, grad, m, v], [param, m, v], attrs);
    return;
  }
  noGrad(() => {
    const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
    const s = (x: number): Tensor => scalarLike(param, x);
    const tmp: Tensor[] = [];
    const t = <T extends Tensor>(x: T): T => (tmp.push(x), x);
    const decayed = t(rawBinary('mul', param, t(s(1 - lr * weightDecay))));
    const m1 = t(rawBinary('add', t(rawBinary('mul', m, t(s(beta1)))), t(rawBinary('mul', grad, t(s(1 - beta1))))));
    const g2 = t(rawUnary('square', grad));
    const v1 = t(rawBinary('add', t(rawBinary('mul', v, t(s(beta2)))), t(rawBinary('mul', g2, t(s(1 - beta2))))));
    const bc1 = 1 - Math.pow(beta1, step);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    const denom = t(rawBinary('add', t(rawBinary('div', t(rawUnary('sqrt', v1)), t(s(bc2Sqrt)))), t(s(eps))));
    const upd = t(rawBinary('mul', t(rawBinary('div', m1, denom)), t(s(lr / bc1))));
    const p1 = t(rawBinary('sub', decayed, upd));
    assign(param, p1);
    assign(m, m1);
    assign(v, v1);
    for (const x of tmp) x.dispose();
  });
}
