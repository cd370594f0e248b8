import type { OpAttrs, TensorView } from '@edora/tensor';
import { f32, i32, ptr, type Arg } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { denseCopy } from './elementwise.js';
import { reduce } from './reduce.js';
import { isDense } from '@edora/tensor/backend-kit';
import { addressOf, BLOCK, gridFor, numel, reduceBlock, type Runner } from './runner.js';

/** Tier-1 fused ops. Inputs arrive contiguous with the reduced axis last (the core's promise); a
 * view that is not dense anyway is copied first, so a kernel never reads past a row. */
class Operands {
  private readonly temps: CudaBuffer[] = [];
  constructor(private readonly r: Runner) {}
  /** The address of a dense version of v. */
  at(v: TensorView): Arg {
    if (isDense(v)) return ptr(addressOf(v));
    const t = denseCopy(this.r, v);
    this.temps.push(t);
    return ptr(t.ptr);
  }
  done(): void {
    for (const t of this.temps) this.r.release(t);
  }
}

function rowsOf(v: TensorView): [number, number] {
  const d = v.shape.length === 0 ? 1 : v.shape[v.shape.length - 1]!;
  return [d === 0 ? 0 : numel(v.shape) / d, d];
}

/** One block per row (grid-stride over rows). */
function perRow(r: Runner, kernel: string, rows: number, d: number, args: readonly Arg[]): void {
  if (rows === 0) return;
  r.launch(kernel, [Math.min(rows, r.multiprocessors * 16), 1, 1], [reduceBlock(d), 1, 1], args);
}

export function softmax(r: Runner, x: TensorView, y: TensorView, log: boolean): void {
  const [rows, d] = rowsOf(x);
  const o = new Operands(r);
  perRow(r, 'softmax_f32', rows, d, [ptr(addressOf(y)), o.at(x), i32(rows), i32(d), i32(log ? 1 : 0)]);
  o.done();
}

export function softmaxBackward(r: Runner, y: TensorView, dy: TensorView, dx: TensorView, log: boolean): void {
  const [rows, d] = rowsOf(y);
  const o = new Operands(r);
  perRow(r, 'softmax_backward_f32', rows, d, [ptr(addressOf(dx)), o.at(y), o.at(dy), i32(rows), i32(d), i32(log ? 1 : 0)]);
  o.done();
}

export function softmaxCrossEntropy(
  r: Runner, logits: TensorView, labels: TensorView, loss: TensorView, probs: TensorView, attrs: OpAttrs['softmaxCrossEntropy'],
): void {
  const [rows, c] = rowsOf(logits);
  const o = new Operands(r);
  perRow(r, 'softmax_xent_f32', rows, c, [
    ptr(addressOf(loss)), ptr(addressOf(probs)), o.at(logits), o.at(labels), i32(rows), i32(c), i32(attrs.ignoreIndex),
  ]);
  o.done();
}

export function softmaxCrossEntropyBackward(
  r: Runner, probs: TensorView, labels: TensorView, dloss: TensorView, dlogits: TensorView, attrs: OpAttrs['softmaxCrossEntropyBackward'],
): void {
  const [rows, c] = rowsOf(probs);
  if (rows * c === 0) return;
  const o = new Operands(r);
  r.launch('softmax_xent_backward_f32', [gridFor(r, rows * c), 1, 1], [BLOCK, 1, 1], [
    ptr(addressOf(dlogits)), o.at(probs), o.at(labels), o.at(dloss), i32(rows), i32(c), i32(attrs.ignoreIndex),
  ]);
  o.done();
}

export function layerNorm(
  r: Runner, x: TensorView, gamma: TensorView, beta: TensorView, y: TensorView, mean: TensorView, rstd: TensorView, eps: number,
): void {
  const [rows, d] = rowsOf(x);
  const o = new Operands(r);
  perRow(r, 'layernorm_f32', rows, d, [
    ptr(addressOf(y)), ptr(addressOf(mean)), ptr(addressOf(rstd)), o.at(x), o.at(gamma), o.at(beta), i32(rows), i32(d), f32(eps),
  ]);
  o.done();
}

export function layerNormBackward(
  r: Runner, x: TensorView, gamma: TensorView, mean: TensorView, rstd: TensorView, dy: TensorView,
  dx: TensorView, dgamma: TensorView, dbeta: TensorView,
): void {
  const [rows, d] = rowsOf(x);
  if (d === 0) return;
  const o = new Operands(r);
  const [px, pg, pm, pr, pdy] = [o.at(x), o.at(gamma), o.at(mean), o.at(rstd), o.at(dy)];
  perRow(r, 'layernorm_backward_dx_f32', rows, d, [ptr(addressOf(dx)), px, pg, pm, pr, pdy, i32(rows), i32(d)]);
  layerNormParams(r, dgamma, dbeta, [px, pm, pr, pdy], rows, d);
  o.done();
}

/** Rows per chunk of the dγ/dβ partial sums (csrc/layernorm.cu). */
const LN_CHUNK = 64;

/** dγ, dβ: partial sums per chunk of rows, then reduce_f32 over the chunks (one chunk: written directly). */
function layerNormParams(r: Runner, dgamma: TensorView, dbeta: TensorView, inputs: readonly Arg[], rows: number, d: number): void {
  const chunks = Math.max(1, Math.ceil(rows / LN_CHUNK));
  const grid: [number, number, number] = [Math.ceil(d / BLOCK), chunks, 1];
  if (chunks === 1 || rows === 0) {
    r.launch('layernorm_backward_params_f32', grid, [BLOCK, 1, 1], [ptr(addressOf(dgamma)), ptr(addressOf(dbeta)), ...inputs, i32(rows), i32(d), i32(LN_CHUNK)]);
    return;
  }
  const pg = r.temp(chunks * d * 4);
  const pb = r.temp(chunks * d * 4);
  r.launch('layernorm_backward_params_f32', grid, [BLOCK, 1, 1], [ptr(pg.ptr), ptr(pb.ptr), ...inputs, i32(rows), i32(d), i32(LN_CHUNK)]);
  for (const [partial, out] of [[pg, dgamma], [pb, dbeta]] as const) {
    const s = out.strides[0] ?? 1;
    reduce(
      r,
      { buffer: partial, dtype: 'float32', shape: [chunks, d], strides: [d, 1], offset: 0 },
      { buffer: out.buffer, dtype: 'float32', shape: [1, d], strides: [d * s, s], offset: out.offset },
      { fn: 'sum', axis: 0 },
    );
  }
  r.release(pg);
  r.release(pb);
}

export function geluBackward(r: Runner, x: TensorView, dy: TensorView, dx: TensorView): void {
  const n = numel(x.shape);
  if (n === 0) return;
  const o = new Operands(r);
  r.launch('gelu_backward_f32', [gridFor(r, n), 1, 1], [BLOCK, 1, 1], [ptr(addressOf(dx)), o.at(x), o.at(dy), i32(n)]);
  o.done();
}

export function rowNorm(r: Runner, w: TensorView, out: TensorView): void {
  const [rows, d] = rowsOf(w);
  const o = new Operands(r);
  perRow(r, 'row_norm_f32', rows, d, [ptr(addressOf(out)), o.at(w), i32(rows), i32(d)]);
  o.done();
}

/** In place: param, m, v are updated where they lie (the core passes them dense). */
export function adamw(r: Runner, param: TensorView, grad: TensorView, m: TensorView, v: TensorView, attrs: OpAttrs['adamw']): void {
  const n = numel(param.shape);
  if (n === 0) return;
  const o = new Operands(r);
  const { lr, beta1, beta2, eps, weightDecay, step } = attrs;
  // the bias corrections in double on the host, as the cpu backend computes them
  const stepSize = lr / (1 - Math.pow(beta1, step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  r.launch('adamw_f32', [gridFor(r, n), 1, 1], [BLOCK, 1, 1], [
    ptr(addressOf(param)), o.at(grad), ptr(addressOf(m)), ptr(addressOf(v)), i32(n), f32(lr), f32(beta1), f32(beta2), f32(eps),
    f32(weightDecay), f32(stepSize), f32(bc2Sqrt),
  ]);
  o.done();
}
