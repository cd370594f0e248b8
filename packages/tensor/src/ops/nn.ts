import { ArgumentError, ShapeError } from '../errors.js';
import { normAxis, numel, shapeStr } from '../shape.js';
import { recordOp, type Tensor } from '../tensor.js';
import { fusedOr, runOp } from './dispatch.js';
import { arange, bernoulli, scalarLike, zeros, type RandomOptions } from './creation.js';
import { mean as meanOp, rawReduce, sum as sumOp } from './reduce.js';
import { mul, rawBinary, rawUnary, sub, div, square } from './elementwise.js';
import { contiguous, reshape, transpose } from './views.js';
import { assign } from './inplace.js';

// ---- raw helpers (no autograd) used by the composite fallbacks ----
const rawRowReduce = (fn: 'sum' | 'max', x: Tensor): Tensor => rawReduce(fn, x, [x.rank - 1]);

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

const spec = (t: Tensor): { shape: readonly number[]; dtype: Tensor['dtype'] } => ({ shape: t.shape, dtype: t.dtype });

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
      ls.dispose();
    } else {
      y = rawBinary('div', e, s);
    }
    for (const t of [m, z, e, s]) t.dispose();
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
      for (const z of [s, e, t]) z.dispose();
      return [dx];
    }
    const p = rawBinary('mul', dy, y);
    const s = rawRowReduce('sum', p);
    const d = rawBinary('sub', dy, s);
    const dx = rawBinary('mul', y, d);
    for (const z of [p, s, d]) z.dispose();
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

export interface LayerNormStats {
  y: Tensor;
  mean: Tensor;
  rstd: Tensor;
}

function layerNormForward(x2: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor[] {
  const n = x2.shape[0]!;
  return fusedOr(
    'layerNorm', [x2, gamma, beta],
    [spec(x2), { shape: [n], dtype: x2.dtype }, { shape: [n], dtype: x2.dtype }], { eps },
    () => {
      const d = x2.shape[1]!;
      const s = rawRowReduce('sum', x2);
      const inv = scalarLike(x2, 1 / d);
      const mu = rawBinary('mul', s, inv);
      const z = rawBinary('sub', x2, mu);
      const z2 = rawUnary('square', z);
      const vs = rawRowReduce('sum', z2);
      const v = rawBinary('mul', vs, inv);
      const e = scalarLike(x2, eps);
      const ve = rawBinary('add', v, e);
      const rs = rawUnary('rsqrt', ve);
      const xh = rawBinary('mul', z, rs);
      const yg = rawBinary('mul', xh, gamma);
      const y = rawBinary('add', yg, beta);
      const mean = reshape(mu, [n]);
      const rstd = reshape(rs, [n]);
      for (const t of [s, inv, mu, z, z2, vs, v, e, ve, rs, xh, yg]) t.dispose();
      return [y, mean, rstd];
    },
  );
}

function layerNormBackward(x2: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, dy: Tensor): Tensor[] {
  const [n, d] = x2.shape as [number, number];
  return fusedOr(
    'layerNormBackward', [x2, gamma, mean, rstd, dy],
    [spec(x2), spec(gamma), spec(gamma)], {},
    () => {
      const mu = reshape(mean, [n, 1]);
      const rs = reshape(rstd, [n, 1]);
      const z = rawBinary('sub', x2, mu);
      const xh = rawBinary('mul', z, rs);
      const g = rawBinary('mul', dy, gamma);
      const inv = scalarLike(x2, 1 / d);
      const sg = rawRowReduce('sum', g);
      const mg = rawBinary('mul', sg, inv);
      const gx = rawBinary('mul', g, xh);
      const sgx = rawRowReduce('sum', gx);
      const mgx = rawBinary('mul', sgx, inv);
      const t1 = rawBinary('sub', g, mg);
      const t2 = rawBinary('mul', xh, mgx);
      const t3 = rawBinary('sub', t1, t2);
      const dx = rawBinary('mul', t3, rs);
      const dyxh = rawBinary('mul', dy, xh);
      const dg = runOp('reduce', [dyxh], [{ shape: [1, d], dtype: x2.dtype }], { fn: 'sum', axis: 0 })[0]!;
      const db = runOp('reduce', [dy], [{ shape: [1, d], dtype: x2.dtype }], { fn: 'sum', axis: 0 })[0]!;
      const dgamma = reshape(dg, [d]);
      const dbeta = reshape(db, [d]);
      for (const t of [mu, rs, z, xh, g, inv, sg, mg, gx, sgx, mgx, t1, t2, t3, dyxh, dg, db]) t.dispose();
      return [dx, dgamma, dbeta];
    },
  );
}

/** LayerNorm over the last dim with affine gamma, beta (as torch.nn.LayerNorm). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const d = x.shape[x.rank - 1];
  if (x.rank === 0 || gamma.rank !== 1 || beta.rank !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
    throw new ShapeError(
      `layerNorm: expected x [..., D] with gamma [D] and beta [D], got x ${shapeStr(x.shape)}, gamma ${shapeStr(gamma.shape)}, beta ${shapeStr(beta.shape)}`,
    );
  }
  const n = numel(x.shape) / (d || 1);
  const xc = contiguous(x);
  const x2 = reshape(xc, [n, d!]);
  xc.dispose();
  const [y, mean, rstd] = layerNormForward(x2, gamma, beta, eps);
  const out2 = recordOp(y!, 'layerNorm', [x2, gamma, beta], [x2, gamma, mean!, rstd!], (g, [xs, gm, mu, rs]) => {
    const gc = contiguous(g);
    return layerNormBackward(xs!, gm!, mu!, rs!, gc);
  });
  mean!.dispose();
  rstd!.dispose();
  const out = reshape(out2, x.shape);
  out2.dispose();
  x2.dispose();
  return out;
}

export interface DropoutOptions extends RandomOptions {
  training?: boolean;
}

/**
 * Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1−p). The mask
 * comes from the counter-based RNG, so a seed gives the same mask on every backend.
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return mul(x, 1);
  const mask = bernoulli(x.shape, 1 - p, { ...options, backend: x.backend, dtype: x.dtype });
  const scaled = mul(mask, 1 / (1 - p));
  mask.dispose();
  const out = mul(x, scaled);
  scaled.dispose();
  return out;
}

export interface EmbeddingOptions {
  /** A row that gets no gradient, however often it is looked up (torch's padding_idx). */
  paddingIdx?: number;
}

/** Rows of `table` [V, D] picked by int32 `ids` of any shape → [...ids.shape, D]. */
export function embedding(table: Tensor, ids: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (table.rank !== 2) throw new ShapeError(`embedding: table must be [V, D], got ${shapeStr(table.shape)}`);
  if (ids.dtype !== 'int32') throw new ShapeError(`embedding: ids must be int32, got ${ids.dtype} ${shapeStr(ids.shape)}`);
  const [V, D] = table.shape as [number, number];
  const pad = options.paddingIdx;
  if (pad !== undefined && !(Number.isInteger(pad) && pad >= 0 && pad < V)) {
    throw new ArgumentError(`embedding: paddingIdx must be an integer in [0, ${V}) for a table ${shapeStr(table.shape)}, got ${pad}`);
  }
  const flat = reshape(ids, [ids.size]);
  const tc = contiguous(table);
  const rows = runOp('gatherRows', [tc, flat], [{ shape: [ids.size, D], dtype: table.dtype }], {})[0]!;
  if (tc !== table) tc.dispose();
  const g = recordOp(rows, 'embedding', [table], [flat], (grad, [idx]) => {
    const out = zeros([V, D], { backend: grad.backend, dtype: grad.dtype });
    const gc = contiguous(grad);
    grad.backend.run('scatterAddRows', [gc, idx!], [out], {});
    // torch's padding_idx: the row's gradient is zero, not the sum of the rows that looked it up
    if (pad !== undefined) assign(out.slice(0, pad, pad + 1), 0);
    return [out];
  });
  flat.dispose();
  const out = reshape(g, [...ids.shape, D]);
  g.dispose();
  return out;
}

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
      for (const t of [logp, onehot, picked, s, s1, l]) t.dispose();
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
        for (const t of [onehot, d, gv, g2]) t.dispose();
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

/**
 * Euclidean norm of each row of a 2-D weight, **without gradient** (DoRA and EDoRA detach the
 * weight norm). Fused as `rowNorm` where the backend has it.
 */
export function rowNorm(w: Tensor): Tensor {
  if (w.rank !== 2) throw new ShapeError(`rowNorm: expected a 2-D weight, got ${shapeStr(w.shape)}`);
  const wc = contiguous(w);
  const out = fusedOr('rowNorm', [wc], [{ shape: [w.shape[0]!], dtype: w.dtype }], {}, () => {
    const sq = rawUnary('square', wc);
    const s = rawRowReduce('sum', sq);
    const r = rawUnary('sqrt', s);
    const o = reshape(r, [w.shape[0]!]);
    for (const t of [sq, s, r]) t.dispose();
    return [o];
  })[0]!;
  if (wc !== w) wc.dispose();
  return out;
}
