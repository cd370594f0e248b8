import type { OpAttrs, OpName, TensorView } from '@edora/tensor';
import { WebGpuOpError } from '../errors.js';
import { adamw, binary, copyCast, fill, geluBackward, unary, where } from './elementwise.js';
import {
  layerNorm, layerNormBackward, rowNorm, softmax, softmaxBackward, softmaxCrossEntropy, softmaxCrossEntropyBackward,
} from './fused.js';
import { matmulDispatch } from './matmul.js';
import { random } from './random.js';
import { reduce } from './reduce.js';
import { gatherRows, scatterAddRows } from './rows.js';
import type { Dispatch, PlanContext } from './program.js';

type Planner<O extends OpName> = (
  inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O], ctx: PlanContext,
) => (Dispatch | null)[];

/** Every op of the contract, planned as the compute dispatches that implement it. */
export const planners: { [O in OpName]: Planner<O> } = {
  fill: (_i, [o], a) => [fill(o!, a)],
  copy: ([x], [o]) => [copyCast('copy', x!, o!)],
  cast: ([x], [o]) => [copyCast('cast', x!, o!)],
  unary: ([x], [o], a) => [unary(x!, o!, a)],
  binary: ([x, y], [o], a) => [binary(x!, y!, o!, a)],
  where: ([c, x, y], [o]) => [where(c!, x!, y!, o!)],
  reduce: ([x], [o], a, ctx) => {
    if (a.fn !== 'sum' && x!.shape[a.axis] === 0) {
      throw new WebGpuOpError(`reduce ${a.fn}: cannot reduce an empty axis (shape [${x!.shape.join(', ')}], axis ${a.axis})`);
    }
    return [reduce(x!, o!, a, ctx)];
  },
  matmul: ([x, y], [o], a, ctx) => [matmulDispatch(x!, y!, o!, a.alpha, a.beta, null, 'none', ctx)],
  gatherRows: ([t, i], [o], _a, ctx) => gatherRows(t!, i!, o!, ctx),
  scatterAddRows: ([s, i], [o]) => [scatterAddRows(s!, i!, o!)],
  random: (_i, [o], a) => [random(o!, a)],
  softmax: ([x], [y], _a, ctx) => [softmax(x!, y!, false, ctx.subgroups)],
  softmaxBackward: ([y, dy], [dx], _a, ctx) => [softmaxBackward(y!, dy!, dx!, false, ctx.subgroups)],
  logSoftmax: ([x], [y], _a, ctx) => [softmax(x!, y!, true, ctx.subgroups)],
  logSoftmaxBackward: ([y, dy], [dx], _a, ctx) => [softmaxBackward(y!, dy!, dx!, true, ctx.subgroups)],
  softmaxCrossEntropy: ([x, l], [loss, p], a, ctx) => [softmaxCrossEntropy(x!, l!, loss!, p!, a, ctx.subgroups)],
  softmaxCrossEntropyBackward: ([p, l, g], [dx], a, ctx) => [softmaxCrossEntropyBackward(p!, l!, g!, dx!, a, ctx.subgroups)],
  layerNorm: ([x, g, b], [y, m, r], a, ctx) => [layerNorm(x!, g!, b!, y!, m!, r!, a.eps, ctx.subgroups)],
  layerNormBackward: ([x, g, m, r, dy], [dx, dg, db], _a, ctx) => layerNormBackward(x!, g!, m!, r!, dy!, dx!, dg!, db!, ctx.subgroups),
  geluBackward: ([x, dy], [dx]) => [geluBackward(x!, dy!, dx!)],
  rowNorm: ([w], [o], _a, ctx) => [rowNorm(w!, o!, ctx.subgroups)],
  matmulBiasAct: ([x, y, b], [o], a, ctx) => [matmulDispatch(x!, y!, o!, 1, 0, b!, a.activation, ctx)],
  adamw: ([p, g, m, v], _o, a) => [adamw(p!, g!, m!, v!, a)],
  // no fused kernel: supportsOp says so, and the core composes it from random and binary
  dropout: () => {
    throw new WebGpuOpError('dropout: the webgpu backend has no fused dropout kernel (supportsOp is false; the core composes it)');
  },
};

export function planOp<O extends OpName>(
  op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O], ctx: PlanContext,
): Dispatch[] {
  return (planners[op] as Planner<O>)(inputs, outputs, attrs, ctx).filter((d): d is Dispatch => d !== null);
}
