import type { OpAttrs, OpName, TensorView } from '../../contract.js';
import { binary, copy, fill, unary, where } from './elementwise.js';
import {
  adamw, geluBackward, layerNorm, layerNormBackward, matmulBiasAct, rowNorm, softmax, softmaxBackward,
  softmaxCrossEntropy, softmaxCrossEntropyBackward,
} from './fused.js';
import { matmul } from './matmul.js';
import { dropout, random } from './random.js';
import { reduce } from './reduce.js';
import { gatherRows, scatterAddRows } from './rows.js';

type Kernel<O extends OpName> = (inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]) => void;

/**
 * The cpu kernel registry: one entry per op of the contract. Other CPU-side backends (wasm) reuse
 * it for the ops they do not accelerate; buffers only need a `bytes: Uint8Array` field.
 */
export const cpuKernels: { [O in OpName]: Kernel<O> } = {
  fill: (_i, [o], a) => fill(o!, a),
  copy: ([x], [o]) => copy(x!, o!),
  cast: ([x], [o]) => copy(x!, o!),
  unary: ([x], [o], a) => unary(x!, o!, a),
  binary: ([x, y], [o], a) => binary(x!, y!, o!, a),
  where: ([c, x, y], [o]) => where(c!, x!, y!, o!),
  reduce: ([x], [o], a) => reduce(x!, o!, a),
  matmul: ([x, y], [o], a) => matmul(x!, y!, o!, a),
  gatherRows: ([t, i], [o]) => gatherRows(t!, i!, o!),
  scatterAddRows: ([s, i], [o]) => scatterAddRows(s!, i!, o!),
  random: (_i, [o], a) => random(o!, a),
  softmax: ([x], [y]) => softmax(x!, y!, false),
  softmaxBackward: ([y, dy], [dx]) => softmaxBackward(y!, dy!, dx!, false),
  logSoftmax: ([x], [y]) => softmax(x!, y!, true),
  logSoftmaxBackward: ([y, dy], [dx]) => softmaxBackward(y!, dy!, dx!, true),
  softmaxCrossEntropy: ([x, l], [loss, p], a) => softmaxCrossEntropy(x!, l!, loss!, p!, a),
  softmaxCrossEntropyBackward: ([p, l, g], [dx], a) => softmaxCrossEntropyBackward(p!, l!, g!, dx!, a),
  layerNorm: ([x, g, b], [y, m, r], a) => layerNorm(x!, g!, b!, y!, m!, r!, a.eps),
  layerNormBackward: ([x, g, m, r, dy], [dx, dg, db]) => layerNormBackward(x!, g!, m!, r!, dy!, dx!, dg!, db!),
  geluBackward: ([x, dy], [dx]) => geluBackward(x!, dy!, dx!),
  rowNorm: ([w], [o]) => rowNorm(w!, o!),
  matmulBiasAct: ([x, y, b], [o], a) => matmulBiasAct(x!, y!, b!, o!, a),
  adamw: ([p, g, m, v], _o, a) => adamw(p!, g!, m!, v!, a),
  dropout: ([x], [y], a) => dropout(x!, y!, a),
};

export function runCpuKernel<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
  (cpuKernels[op] as Kernel<O>)(inputs, outputs, attrs);
}
