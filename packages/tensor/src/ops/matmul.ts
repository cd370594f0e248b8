import type { Activation } from '../backend/contract.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, numel, reshapeStrides, shapeStr } from '../shape.js';
import { makeView, recordOp, type Tensor } from '../tensor.js';
import type { BackwardFn } from '../autograd/node.js';
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

/** `t` ([..., m, cols]) with its leading dims folded into the rows, as [1, rows, cols]; copies only when it must. */
function asRows(t: Tensor, rows: number, cols: number): Tensor {
  const s = reshapeStrides(t.shape, t.strides, [rows, cols]);
  if (s && (s[1] === 1 || rows === 1)) {
    const view = makeView(t, [rows, cols], s, t.offset);
    const out = as3d(view, [], rows, cols);
    view.dispose();
    return out;
  }
  const c = noGradContiguous(t);
  const out = makeView(c, [1, rows, cols], [0, cols, 1], 0);
  c.dispose();
  return out;
}

/** `t` as `shape` without autograd: a view when the layout allows, else a contiguous copy. */
function viewAs(t: Tensor, shape: readonly number[]): Tensor {
  if (t.size === 0) return makeView(t, shape, contiguousStrides(shape), t.offset);
  const s = reshapeStrides(t.shape, t.strides, shape);
  if (s) return makeView(t, shape, s, t.offset);
  const c = noGradContiguous(t);
  const out = makeView(c, shape, contiguousStrides(shape), 0);
  c.dispose();
  return out;
}

/** A view with the last two dims swapped (no autograd): a transposed GEMM operand. */
function swapLast(t: Tensor): Tensor {
  const r = t.rank;
  const shape = [...t.shape];
  const strides = [...t.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1]!, shape[r - 2]!];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1]!, strides[r - 2]!];
  return makeView(t, shape, strides, t.offset);
}

/** One `matmul` op on operands already 3-D and laid out for it: [B, M, N] = alpha · a3 · b3. */
function gemm3(a3: Tensor, b3: Tensor, alpha: number): Tensor {
  const bn = Math.max(a3.shape[0]!, b3.shape[0]!);
  return runOp('matmul', [a3, b3], [{ shape: [bn, a3.shape[1]!, b3.shape[2]!], dtype: a3.dtype }], { alpha, beta: 0 })[0]!;
}

/** What a product ran on: its result and the 3-D operands, which its backward reuses. */
interface Product {
  out: Tensor;
  a3: Tensor;
  b3: Tensor;
  batch: number[];
  M: number;
  /** a's batch rows were folded into M: a3 is [1, batch·M, K], b3 the 2-D operand as [1, K, N] */
  folded: boolean;
}

/** Batched GEMM of views already shaped [..., M, K] and [..., K, N]; no autograd. */
function product(a: Tensor, b: Tensor, alpha: number, op: string): Product {
  const M = a.shape[a.rank - 2]!;
  const K = a.shape[a.rank - 1]!;
  const N = b.shape[b.rank - 1]!;
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), op);
  const outShape = [...batch, M, N];
  // The Linear case: b has no batch of its own and a's batch rows fold into M — one big GEMM,
  // and one for the gradient of b instead of a batch of products and a sum over them
  const folded = b.rank === 2 && batch.length > 0;
  const a3 = folded ? asRows(a, numel(batch) * M, K) : as3d(a, batch, M, K);
  const b3 = as3d(b, folded ? [] : batch, K, N);
  const o = gemm3(a3, b3, alpha);
  const out = makeView(o, outShape, contiguousStrides(outShape), 0);
  o.dispose();
  return { out, a3, b3, batch, M, folded };
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /**
   * Scales the product in the same op: alpha · (a @ b) (default 1). With a power of two the bits
   * equal those of dividing the product by 1/alpha afterwards (attention's 1/√d for d = 16 or 64).
   */
  alpha?: number;
}

/**
 * Matrix product with NumPy semantics: batch dims broadcast, a 1-D operand is a vector.
 * `transA`/`transB` transpose the last two dims of an operand for free (a strided view).
 *
 * Backward runs one product per input that needs a gradient, on the operands the forward product
 * ran on (a strided operand is copied once, not again for backward); the gradient of a transposed
 * operand comes out in that operand's own layout (no transposed copy), and that of a 2-D operand
 * against a batched one is a single product over all the rows.
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
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ArgumentError(`matmul: alpha must be a finite number, got ${String(alpha)}`);
  const transA = (options.transA ?? false) && a.rank >= 2;
  const transB = (options.transB ?? false) && b.rank >= 2;
  const vecA = a.rank === 1;
  const vecB = b.rank === 1;
  // the logical operands [..., M, K] and [..., K, N], as views outside autograd
  const A = vecA ? makeView(a, [1, a.shape[0]!], [0, a.strides[0]!], a.offset) : transA ? swapLast(a) : a;
  const B = vecB ? makeView(b, [b.shape[0]!, 1], [b.strides[0]!, 0], b.offset) : transB ? swapLast(b) : b;
  const K = A.shape[A.rank - 1]!;
  if (B.shape[B.rank - 2] !== K) {
    if (A !== a) A.dispose();
    if (B !== b) B.dispose();
    throw new ShapeError(
      `matmul: inner dimensions differ: ${shapeStr(a.shape)}${options.transA ? 'ᵀ' : ''} @ ${shapeStr(b.shape)}${options.transB ? 'ᵀ' : ''} ` +
        `(${K} vs ${B.shape[B.rank - 2]})`,
    );
  }
  const layout: Layout = {
    aShape: a.shape, bShape: b.shape, AShape: A.shape, BShape: B.shape, transA, transB, vecA, vecB, alpha,
    needA: isGradEnabled() && a.requiresGrad, needB: isGradEnabled() && b.requiresGrad,
  };
  const p = product(A, B, alpha, 'matmul');
  if (A !== a) A.dispose();
  if (B !== b) B.dispose();
  let out = p.out;
  if (vecA || vecB) {
    const shape = [...out.shape];
    if (vecB) shape.splice(shape.length - 1, 1);
    if (vecA) shape.splice(shape.length - (vecB ? 1 : 2), 1);
    const r = makeView(out, shape, contiguousStrides(shape), 0);
    out.dispose();
    out = r;
  }
  // each input's gradient reads only the other operand: keep what a needed gradient reads
  const saved = [...(layout.needB ? [p.a3] : []), ...(layout.needA ? [p.b3] : [])];
  const res = recordOp(out, 'matmul', [a, b], saved, productBackward(p, layout));
  p.a3.dispose();
  p.b3.dispose();
  return res;
}

/** How `matmul` saw its inputs, which its backward needs to hand gradients back in their shapes. */
interface Layout {
  aShape: readonly number[];
  bShape: readonly number[];
  /** the logical operands' shapes, [..., M, K] and [..., K, N] */
  AShape: readonly number[];
  BShape: readonly number[];
  transA: boolean;
  transB: boolean;
  vecA: boolean;
  vecB: boolean;
  alpha: number;
  needA: boolean;
  needB: boolean;
}

/**
 * dA = α·g·Bᵀ and dB = α·Aᵀ·g on the saved 3-D operands. A transposed input gets its gradient
 * in its own layout (d(a) = α·B·gᵀ for transA, d(b) = α·gᵀ·A for transB); gradients are summed
 * over the batch dims the input was broadcast along.
 */
function productBackward(p: Product, l: Layout): BackwardFn {
  const { batch, M, folded } = p;
  const rows = p.a3.shape[1]!;
  const K = p.a3.shape[2]!;
  const N = p.b3.shape[2]!;
  return (g, saved) => {
    const a3 = l.needB ? saved[0]! : null;
    const b3 = l.needA ? saved[l.needB ? 1 : 0]! : null;
    // g as the product's result: [B, M, N] (folded: [1, batch·M, N])
    const gFull = viewAs(g, [...batch, M, N]);
    const g3 = folded ? asRows(gFull, rows, N) : as3d(gFull, batch, M, N);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (b3) {
      if (l.transA && !folded) {
        da = sumToShape(viewAs(gemm3(b3, swapLast(g3), l.alpha), [...batch, K, M]), l.aShape);
      } else {
        const dA = sumToShape(viewAs(gemm3(g3, swapLast(b3), l.alpha), [...batch, M, K]), l.AShape);
        da = l.vecA ? viewAs(dA, l.aShape) : l.transA ? swapLast(dA) : dA;
      }
    }
    if (a3) {
      const bBatch = folded ? [] : batch;
      if (l.transB) {
        db = sumToShape(viewAs(gemm3(swapLast(g3), a3, l.alpha), [...bBatch, N, K]), l.bShape);
      } else {
        const dB = sumToShape(viewAs(gemm3(swapLast(a3), g3, l.alpha), [...bBatch, K, N]), l.BShape);
        db = l.vecB ? viewAs(dB, l.bShape) : dB;
      }
    }
    return [da, db];
  };
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
