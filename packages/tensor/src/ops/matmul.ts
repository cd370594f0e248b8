import type { Activation } from '../backend/contract.js';
import { ShapeError } from '../errors.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, numel, reshapeStrides, shapeStr } from '../shape.js';
import { makeView, recordOp, type Tensor } from '../tensor.js';
import { fusedEnabled, runOp } from './dispatch.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { sum, sumToShape } from './reduce.js';
import { noGradContiguous, reshape, transpose } from './views.js';
import { add, gelu, relu, tanh } from './elementwise.js';

/**
 * A [B, rows, cols] view of `t` broadcast to batch shape `batch`, in a layout the backend
 * contract accepts (row- or column-major last two dims); copies only when it must.
 */
function as3d(t: Tensor, batch: readonly number[], rows: number, cols: number): Tensor {
  const full = [...batch, rows, cols];
  const strides = broadcastStrides(t.shape, t.strides, full, 'matmul');
  const bn = numel(batch);
  const s3 = reshapeStrides(full, strides, [bn, rows, cols]);
  if (s3) {
    if (rows === 1) s3[1] = cols;
    if (cols === 1) s3[2] = 1;
    if (bn === 1) s3[0] = 0;
  }
  if (s3 && (s3[2] === 1 || s3[1] === 1)) return makeView(t, [bn, rows, cols], s3, t.offset);
  const view = makeView(t, full, strides, t.offset);
  const c = noGradContiguous(view);
  view.dispose();
  const out = makeView(c, [bn, rows, cols], contiguousStrides([bn, rows, cols]), 0);
  c.dispose();
  return out;
}

/** Batched GEMM of views already shaped [..., M, K] and [..., K, N]; no autograd. */
function rawMatmul(a: Tensor, b: Tensor, op: string): Tensor {
  const M = a.shape[a.rank - 2]!;
  const K = a.shape[a.rank - 1]!;
  const N = b.shape[b.rank - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), op);
  const outShape = [...batch, M, N];
  // The Linear case: b has no batch of its own and a's batch rows fold into M (one big GEMM).
  if (b.rank === 2 && batch.length > 0) {
    const folded = reshapeStrides(a.shape, a.strides, [numel(batch) * M, K]);
    if (folded && (folded[1] === 1 || M * numel(batch) === 1)) {
      const a3 = as3d(makeView(a, [numel(batch) * M, K], folded, a.offset), [], numel(batch) * M, K);
      const b3 = as3d(b, [], K, N);
      const o = runOp('matmul', [a3, b3], [{ shape: [1, numel(batch) * M, N], dtype: a.dtype }], { alpha: 1, beta: 0 })[0]!;
      a3.dispose();
      b3.dispose();
      const out = makeView(o, outShape, contiguousStrides(outShape), 0);
      o.dispose();
      return out;
    }
  }
  const a3 = as3d(a, batch, M, K);
  const b3 = as3d(b, batch, K, N);
  const o = runOp('matmul', [a3, b3], [{ shape: [numel(batch), M, N], dtype: a.dtype }], { alpha: 1, beta: 0 })[0]!;
  a3.dispose();
  b3.dispose();
  const out = makeView(o, outShape, contiguousStrides(outShape), 0);
  o.dispose();
  return out;
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * Matrix product with NumPy semantics: batch dims broadcast, a 1-D operand is a vector.
 * `transA`/`transB` transpose the last two dims of an operand for free (a strided view).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  a.assertAlive('matmul');
  b.assertAlive('matmul');
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(`matmul: operands must have at least 1 dim, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  if (a.dtype !== b.dtype) {
    throw new ShapeError(`matmul: dtypes differ (${a.dtype} ${shapeStr(a.shape)} vs ${b.dtype} ${shapeStr(b.shape)})`);
  }
  let A = options.transA && a.rank >= 2 ? transpose(a) : a;
  let B = options.transB && b.rank >= 2 ? transpose(b) : b;
  const vecA = A.rank === 1;
  const vecB = B.rank === 1;
  if (vecA) A = reshape(A, [1, A.shape[0]!]);
  if (vecB) B = reshape(B, [B.shape[0]!, 1]);
  const K = A.shape[A.rank - 1]!;
  if (B.shape[B.rank - 2] !== K) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${shapeStr(a.shape)}${options.transA ? 'ᵀ' : ''} @ ${shapeStr(b.shape)}${options.transB ? 'ᵀ' : ''} ` +
        `(${K} vs ${B.shape[B.rank - 2]})`,
    );
  }
  const aShape = A.shape;
  const bShape = B.shape;
  // only the operands that need a gradient get one: a frozen weight costs no dW product
  let out = recordOp(rawMatmul(A, B, 'matmul'), 'matmul', [A, B], [A, B], (g, [x, y], needs) => [
    needs[0] ? sumToShape(rawMatmul(g, transpose(y!), 'matmul backward'), aShape) : null,
    needs[1] ? sumToShape(rawMatmul(transpose(x!), g, 'matmul backward'), bShape) : null,
  ]);
  if (vecA || vecB) {
    const shape = [...out.shape];
    if (vecB) shape.splice(shape.length - 1, 1);
    if (vecA) shape.splice(shape.length - (vecB ? 1 : 2), 1);
    const r = reshape(out, shape);
    out.dispose();
    out = r;
  }
  if (A !== a) A.dispose();
  if (B !== b) B.dispose();
  return out;
}

/**
 * act(x @ w + bias) — `w` given as [K, N] (or [N, K] with transB). Fused on backends that have
 * `matmulBiasAct`: always without a gradient, and with one for `activation: 'none'` (every
 * Linear layer while training), whose backward needs no pre-activation; otherwise composed so
 * autograd sees every step.
 */
export function matmulBiasAct(x: Tensor, w: Tensor, bias: Tensor | null, activation: Activation = 'none', options: MatmulOptions = {}): Tensor {
  const needsGrad = isGradEnabled() && (x.requiresGrad || w.requiresGrad || (bias?.requiresGrad ?? false));
  if (bias && (!needsGrad || activation === 'none') && x.rank >= 2 && w.rank === 2 && !options.transA && fusedEnabled(x.backend, 'matmulBiasAct', [x.dtype])) {
    const fused = fusedLinear(x, w, bias, activation, options.transB ?? false);
    if (fused) return needsGrad ? recordLinear(fused, x, w, bias, options.transB ?? false) : fused;
  }
  let y = matmul(x, w, options);
  if (bias) {
    const t = add(y, bias);
    y.dispose();
    y = t;
  }
  if (activation === 'none') return y;
  const act = activation === 'relu' ? relu(y) : activation === 'gelu' ? gelu(y) : tanh(y);
  y.dispose();
  return act;
}

/** The fused op on [..., K] x, or null when the shapes do not line up (the caller composes). No autograd. */
function fusedLinear(x: Tensor, w: Tensor, bias: Tensor, activation: Activation, transB: boolean): Tensor | null {
  const W = transB ? transpose(w) : w;
  const M = numel(x.shape.slice(0, -1));
  const K = x.shape[x.rank - 1]!;
  const N = W.shape[1]!;
  if (W.shape[0] !== K || bias.rank !== 1 || bias.shape[0] !== N) {
    if (W !== w) W.dispose();
    return null;
  }
  const x2 = reshape(x, [M, K]);
  const x3 = as3d(x2, [], M, K);
  const w3 = as3d(W, [], K, N);
  const o = runOp('matmulBiasAct', [x3, w3, bias], [{ shape: [1, M, N], dtype: x.dtype }], { activation })[0]!;
  for (const t of [x2, x3, w3]) t.dispose();
  if (W !== w) W.dispose();
  const out = reshape(o, [...x.shape.slice(0, -1), N]);
  o.dispose();
  return out;
}

/**
 * The gradients of y = x @ W + b with W = w or wᵀ (transB): dx = g Wᵀ, dW = xᵀ g (dw = gᵀ x
 * when transposed), db = Σ_rows g. Only the inputs that need one get one.
 */
function recordLinear(out: Tensor, x: Tensor, w: Tensor, bias: Tensor, transB: boolean): Tensor {
  const K = x.shape[x.rank - 1]!;
  return recordOp(out, 'linear', [x, w, bias], [x, w], (g, [xs, ws], needs) => {
    const N = g.shape[g.rank - 1]!;
    const g2 = reshape(g, [-1, N]);
    const x2 = needs[1] ? reshape(xs!, [-1, K]) : null;
    return [
      needs[0] ? reshape(matmul(g2, ws!, { transB: !transB }), xs!.shape) : null,
      needs[1] ? (transB ? matmul(g2, x2!, { transA: true }) : matmul(x2!, g2, { transA: true })) : null,
      needs[2] ? sum(g2, 0) : null,
    ];
  });
}
