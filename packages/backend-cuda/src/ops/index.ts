import { TIER0_OPS, type DType, type OpAttrs, type OpName, type TensorView } from '@edora/tensor';
import { CudaOpError } from '../errors.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';
import { matmul, matmulBiasAct } from './matmul.js';
import { random } from './random.js';
import { reduce } from './reduce.js';
import { gatherRows, scatterAddRows } from './rows.js';
import type { Runner } from './runner.js';

export type { Runner } from './runner.js';

type Planner<O extends OpName> = (r: Runner, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]) => void;

/** One planner per op of the contract (exhaustive: a new op fails to typecheck until it is added). */
export const planners: { [O in OpName]: Planner<O> } = {
  fill: (r, _i, [o], a) => ew.fill(r, o!, a),
  copy: (r, [x], [o]) => ew.copy(r, x!, o!),
  cast: (r, [x], [o]) => ew.cast(r, x!, o!),
  unary: (r, [x], [o], a) => ew.unary(r, x!, o!, a),
  binary: (r, [x, y], [o], a) => ew.binary(r, x!, y!, o!, a),
  where: (r, [c, x, y], [o]) => ew.where(r, c!, x!, y!, o!),
  reduce: (r, [x], [o], a) => reduce(r, x!, o!, a),
  matmul: (r, [x, y], [o], a) => matmul(r, x!, y!, o!, a),
  gatherRows: (r, [t, i], [o]) => gatherRows(r, t!, i!, o!),
  scatterAddRows: (r, [s, i], [o]) => scatterAddRows(r, s!, i!, o!),
  random: (r, _i, [o], a) => random(r, o!, a),
  softmax: (r, [x], [y]) => fused.softmax(r, x!, y!, false),
  softmaxBackward: (r, [y, dy], [dx]) => fused.softmaxBackward(r, y!, dy!, dx!, false),
  logSoftmax: (r, [x], [y]) => fused.softmax(r, x!, y!, true),
  logSoftmaxBackward: (r, [y, dy], [dx]) => fused.softmaxBackward(r, y!, dy!, dx!, true),
  softmaxCrossEntropy: (r, [x, l], [loss, p], a) => fused.softmaxCrossEntropy(r, x!, l!, loss!, p!, a),
  softmaxCrossEntropyBackward: (r, [p, l, g], [dx], a) => fused.softmaxCrossEntropyBackward(r, p!, l!, g!, dx!, a),
  layerNorm: (r, [x, g, b], [y, m, s], a) => fused.layerNorm(r, x!, g!, b!, y!, m!, s!, a.eps),
  layerNormBackward: (r, [x, g, m, s, dy], [dx, dg, db]) => fused.layerNormBackward(r, x!, g!, m!, s!, dy!, dx!, dg!, db!),
  geluBackward: (r, [x, dy], [dx]) => fused.geluBackward(r, x!, dy!, dx!),
  rowNorm: (r, [w], [o]) => fused.rowNorm(r, w!, o!),
  matmulBiasAct: (r, [x, y, b], [o], a) => matmulBiasAct(r, x!, y!, b!, o!, a),
  adamw: (r, [p, g, m, v], _o, a) => fused.adamw(r, p!, g!, m!, v!, a),
  // no fused kernel: `hasKernel` says so, and the core composes it from random and binary
  dropout: () => {
    throw new CudaOpError('dropout: the cuda backend has no fused dropout kernel (supportsOp is false; the core composes it)');
  },
};

/** Ops whose kernels take float32 operands only. */
const FLOAT_ONLY = new Set<OpName>([
  'unary', 'reduce', 'matmul', 'matmulBiasAct', 'random', 'softmax', 'softmaxBackward', 'logSoftmax', 'logSoftmaxBackward',
  'layerNorm', 'layerNormBackward', 'geluBackward', 'rowNorm', 'adamw',
]);

/** Whether each given dtype matches its position's (a shorter list, as the support matrix asks, checks only those given). */
function matches(dtypes: readonly DType[], wanted: readonly DType[]): boolean {
  return dtypes.every((d, i) => d === (wanted[i] ?? wanted[wanted.length - 1]));
}

/**
 * Whether a kernel of the backend runs `op` on operands (inputs, then outputs) of these dtypes:
 * float32 everywhere, int32 for moves, casts, binary/where and row ids/labels.
 */
export function hasKernel(op: OpName, dtypes: readonly DType[]): boolean {
  if (dtypes.includes('float64') || op === 'dropout') return false;
  switch (op) {
    case 'gatherRows':
    case 'scatterAddRows':
    case 'softmaxCrossEntropy':
      return matches(dtypes, ['float32', 'int32', 'float32']);
    case 'softmaxCrossEntropyBackward':
      return matches(dtypes, ['float32', 'int32', 'float32']);
    case 'reduce':
      // argmax writes int32
      return dtypes[0] !== 'int32';
    case 'binary':
      return dtypes.length < 2 || dtypes[0] === dtypes[1];
    case 'where':
      return dtypes.length < 3 || dtypes[1] === dtypes[2];
    default:
      return !FLOAT_ONLY.has(op) || !dtypes.includes('int32');
  }
}

/**
 * `supportsOp` (input dtypes): every tier-0 op of float32 and int32 (int32 unary and reduce run on
 * the kit's host fallback), tier-1 ops where a kernel takes them; never float64.
 */
export function supports(op: OpName, dtypes: readonly DType[]): boolean {
  if (dtypes.includes('float64')) return false;
  return (TIER0_OPS as readonly OpName[]).includes(op) || hasKernel(op, dtypes);
}
