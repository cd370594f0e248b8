import { normAxis } from '../../shape.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { fusedOr } from '../dispatch.js';
import { rawBinary, rawUnary } from '../elementwise.js';
import { contiguous, transpose } from '../views.js';
import { rawRowReduce, spec } from './row-helpers.js';

/** Moves `axis` last and makes the tensor contiguous; returns an undo for results. */
function lastAxis(x: Tensor, axis: number, op: string): { input: Tensor; restore: (y: Tensor) => Tensor } {
  const a = normAxis(axis, x.rank, op);
  if (a === x.rank - 1) return { input: contiguous(x), restore: (y) => y };
  const t = transpose(x, a, -1);
  const input = contiguous(t);
  t.dispose();
  return {
    input,
    restore: (y) => {
      const back = transpose(y, a, -1);
      y.dispose();
      return back;
    },
  };
}

export function softmaxForward(x: Tensor, log: boolean): Tensor {
  return fusedOr(log ? 'logSoftmax' : 'softmax', [x], [spec(x)], {}, () => {
    const m = rawRowReduce('max', x);
    const z = rawBinary('sub', x, m);
    const e = rawUnary('exp', z);
    const s = rawRowReduce('sum', e);
    let y: Tensor;
    if (log) {
      const ls = rawUnary('log', s);
      y = rawBinary('sub', z, ls);
    } else {
      y = rawBinary('div', e, s);
    }
    return [y];
  })[0]!;
}

export function softmaxBackward(y: Tensor, dy: Tensor, log: boolean): Tensor {
  return fusedOr(log ? 'logSoftmaxBackward' : 'softmaxBackward', [y, dy], [spec(y)], {}, () => {
    if (log) {
      const s = rawRowReduce('sum', dy);
      const e = rawUnary('exp', y);
      const t = rawBinary('mul', e, s);
      const dx = rawBinary('sub', dy, t);
      return [dx];
    }
    const p = rawBinary('mul', dy, y);
    const s = rawRowReduce('sum', p);
    const d = rawBinary('sub', dy, s);
    const dx = rawBinary('mul', y, d);
    return [dx];
  })[0]!;
}

function softmaxLike(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  const { input, restore } = lastAxis(x, axis, name);
  const y = softmaxForward(input, log);
  const out = recordOp(y, name, [input], [y], (g, [ys]) => {
    const gc = g.isContiguous ? g : contiguous(g);
    return [softmaxBackward(ys!, gc, log)];
  });
  if (input !== x) input.dispose();
  return restore(out);
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxLike(x, axis, false);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxLike(x, axis, true);
}
