import { ArgumentError, ShapeError } from '../../errors.js';
import { shapeStr } from '../../shape.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { arange, scalarLike } from '../creation.js';
import { fusedOr, runOp } from '../dispatch.js';
import { div, rawBinary, rawUnary, square, sub } from '../elementwise.js';
import { mean as meanOp, sum as sumOp } from '../reduce.js';
import { contiguous, reshape } from '../views.js';
import { rawRowReduce, spec } from './row-helpers.js';
import { softmaxForward } from './softmax.js';

export interface CrossEntropyOptions {
  reduction?: 'mean' | 'sum' | 'none';
  /** Labels equal to this (PyTorch default −100) contribute no loss and no gradient. */
  ignoreIndex?: number;
}

/** Cross-entropy of logits [N, C] against int32 labels [N] (log-softmax + NLL, as PyTorch). */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`crossEntropy: expected logits [N, C] and labels [N], got ${shapeStr(logits.shape)} and ${shapeStr(labels.shape)}`);
  }
  if (labels.dtype !== 'int32') throw new ShapeError(`crossEntropy: labels must be int32, got ${labels.dtype}`);
  if (!['mean', 'sum', 'none'].includes(reduction)) {
    throw new ArgumentError(`crossEntropy: reduction must be one of mean, sum, none; got "${reduction}"`);
  }
  const [n, C] = logits.shape as [number, number];
  const x = contiguous(logits);
  const valid = validMask(labels, C, ignoreIndex);
  const [lossVec, probs] = fusedOr(
    'softmaxCrossEntropy', [x, labels], [{ shape: [n], dtype: x.dtype }, spec(x)], { ignoreIndex },
    () => {
      const logp = softmaxForward(x, true);
      const onehot = oneHot(labels, C, x);
      const picked = rawBinary('mul', logp, onehot);
      const s = rawRowReduce('sum', picked);
      const s1 = reshape(s, [n]);
      const l = rawBinary('mul', s1, valid);
      const loss = rawUnary('neg', l);
      const p = rawUnary('exp', logp);
      return [loss, p];
    },
  );
  const per = recordOp(lossVec!, 'crossEntropy', [x], [probs!, labels, valid], (g, [p, lab, v]) => {
    const gc = contiguous(g);
    return [
      fusedOr('softmaxCrossEntropyBackward', [p!, lab!, gc], [spec(p!)], { ignoreIndex }, () => {
        const onehot = oneHot(lab!, C, p!);
        const d = rawBinary('sub', p!, onehot);
        const gv = rawBinary('mul', gc, v!);
        const g2 = reshape(gv, [n, 1]);
        const r = rawBinary('mul', d, g2);
        return [r];
      })[0]!,
    ];
  });
  probs!.dispose();
  if (x !== logits) x.dispose();
  if (reduction === 'none') {
    valid.dispose();
    return per;
  }
  const total = sumOp(per);
  per.dispose();
  if (reduction === 'sum') {
    valid.dispose();
    return total;
  }
  const count = sumOp(valid);
  valid.dispose();
  const out = div(total, count);
  total.dispose();
  count.dispose();
  return out;
}

/** 1 where the label is a class index in [0, C) and not ignoreIndex, else 0 (float32). */
function validMask(labels: Tensor, C: number, ignoreIndex: number): Tensor {
  const ge0 = rawBinary('ge', labels, scalarLike(labels, 0));
  const ltC = rawBinary('lt', labels, scalarLike(labels, C));
  const ne = rawBinary('ne', labels, scalarLike(labels, ignoreIndex));
  const a = rawBinary('mul', ge0, ltC);
  const m = rawBinary('mul', a, ne);
  for (const t of [ge0, ltC, ne, a]) t.dispose();
  return m;
}

function oneHot(labels: Tensor, C: number, like: Tensor): Tensor {
  const classes = arange(0, C, 1, { backend: labels.backend, dtype: 'int32' });
  const row = reshape(classes, [1, C]);
  const col = reshape(labels, [labels.shape[0]!, 1]);
  const m = rawBinary('eq', col, row, 'float32');
  const out = like.dtype === 'float32' ? m : runOp('cast', [m], [{ shape: m.shape, dtype: like.dtype }], {})[0]!;
  for (const t of [classes, row, col]) t.dispose();
  if (out !== m) m.dispose();
  return out;
}

/** Mean squared error (the regression loss, as torch.nn.MSELoss). */
export function mse(pred: Tensor, target: Tensor, options: { reduction?: 'mean' | 'sum' | 'none' } = {}): Tensor {
  if (pred.size !== target.size) {
    throw new ShapeError(`mse: prediction ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} differ in size`);
  }
  const t = target.shape.length === pred.shape.length ? target : reshape(target, pred.shape);
  const d = sub(pred, t);
  const sq = square(d);
  d.dispose();
  if (t !== target) t.dispose();
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return sq;
  const out = reduction === 'sum' ? sumOp(sq) : meanOp(sq);
  sq.dispose();
  return out;
}
