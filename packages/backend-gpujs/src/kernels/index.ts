import type { OpName, TensorView } from '@edora/tensor';
import { byteSpan, collapseDims, cpuKernels, isDense, viewSize, type CpuBuffer, type KernelTable } from '@edora/tensor/backend-kit';
import type { ProgramCache } from '../programs.js';
import { adamwSpec } from './adamw.js';
import { binarySpec, unarySpec } from './elementwise.js';
import { matmulSpec } from './matmul.js';
import { reduceSpec } from './reduce.js';
import {
  layerNormDParamsSpec, layerNormDxSpec, layerNormSpec, layerNormStatsSpec, softmaxBackwardSpec, softmaxSpec,
} from './rows.js';
import { MAX_THREADS } from './source.js';

/** The ops whose kernels read strided and broadcast views themselves; every other kernel gets dense views. */
export const STRIDED_OPS: ReadonlySet<OpName> = new Set<OpName>(['fill', 'copy', 'binary', 'matmul']);

/** A buffer's float32 elements (buffers live in host memory: see the README's "Where the data lives"). */
function f32(view: TensorView): Float32Array {
  const { bytes } = view.buffer as CpuBuffer;
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/** The elements of a dense view, as a kernel argument. */
function dense(view: TensorView): Float32Array {
  return f32(view).subarray(view.offset, view.offset + viewSize(view));
}

/** The elements a strided view touches (lowest to highest), and where the view's first element sits in them. */
function span(view: TensorView): { data: Float32Array; base: number } {
  const s = byteSpan(view)!;
  const first = s.start >> 2;
  return { data: f32(view).subarray(first, s.end >> 2), base: view.offset - first };
}

const float32 = (views: readonly TensorView[]): boolean => views.every((v) => v.dtype === 'float32');

/** Rows and row length of a dense operand whose reduced axis is last. */
function rowsOf(view: TensorView): [number, number] {
  const d = view.shape.at(-1) ?? 1;
  return [d === 0 ? 0 : viewSize(view) / d, d];
}

/** Whether a kernel can write `n` elements (float32 index arithmetic, see kernels/source.ts). */
const fits = (n: number): boolean => n > 0 && n < MAX_THREADS;

/**
 * The backend's kernel table. A kernel returns `false` to decline a call (another dtype, an empty
 * or oversized tensor), which then runs on the kit's host fallback, counted.
 */
export function gpujsKernels(programs: ProgramCache): KernelTable {
  return {
    // Memory ops: buffers are host memory, so these are the cpu backend's loops on it (no transfer).
    fill: (inputs, outputs, attrs) => cpuKernels.fill(inputs, outputs, attrs),
    copy: (inputs, outputs, attrs) => cpuKernels.copy(inputs, outputs, attrs),

    unary: ([x], [out], { fn }) => {
      const n = viewSize(out!);
      if (!float32([x!, out!]) || !fits(n)) return false;
      programs.run(unarySpec(fn, n), [dense(x!)], f32(out!), out!.offset);
    },

    binary: ([a, b], [out], { fn }) => {
      const n = viewSize(out!);
      if (!float32([a!, b!, out!]) || !isDense(out!) || !fits(n)) return false;
      const c = collapseDims(out!.shape, [a!.strides, b!.strides]);
      const [sa, sb] = [span(a!), span(b!)];
      const spec = binarySpec(fn, c.shape, { base: sa.base, strides: c.strides[0]! }, { base: sb.base, strides: c.strides[1]! });
      programs.run(spec, [sa.data, sb.data], f32(out!), out!.offset);
    },

    reduce: ([x], [out], { fn, axis }) => {
      const n = viewSize(out!);
      const size = x!.shape[axis] ?? 1;
      if (x!.dtype !== 'float32' || out!.dtype !== (fn === 'argmax' ? 'int32' : 'float32') || !fits(n) || size === 0) return false;
      const inner = x!.shape.slice(axis + 1).reduce((p, s) => p * s, 1);
      const spec = reduceSpec(fn, n / inner, size, inner);
      if (fn !== 'argmax') return void programs.run(spec, [dense(x!)], f32(out!), out!.offset);
      const indices = new Float32Array(n);
      programs.run(spec, [dense(x!)], indices, 0);
      const { bytes } = out!.buffer as CpuBuffer;
      new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2).set(indices, out!.offset);
    },

    // out[b] = alpha · a[b] @ bm[b] + beta · out[b]; a [B, M, K], bm [B, K, N] in either layout
    matmul: ([a, bm], [out], { alpha, beta }) => {
      const [B, M, K] = a!.shape as [number, number, number];
      const N = bm!.shape[2]!;
      if (!float32([a!, bm!, out!]) || !isDense(out!) || !fits(B * M * N) || K === 0) return false;
      const [sa, sb] = [span(a!), span(bm!)];
      const strides = (v: TensorView): [number, number, number] => [v.strides[0]!, v.strides[1]!, v.strides[2]!];
      const accumulate = beta !== 0; // beta = 0 ignores what out held (NaN included)
      const spec = matmulSpec(B, M, K, N, { base: sa.base, strides: strides(a!) }, { base: sb.base, strides: strides(bm!) }, accumulate);
      const args = accumulate ? [sa.data, sb.data, alpha, beta, dense(out!).slice()] : [sa.data, sb.data, alpha];
      programs.run(spec, args, f32(out!), out!.offset);
    },

    softmax: ([x], [y]) => softmaxKernel(programs, x!, y!, false),
    logSoftmax: ([x], [y]) => softmaxKernel(programs, x!, y!, true),
    softmaxBackward: ([y, dy], [dx]) => softmaxBackwardKernel(programs, y!, dy!, dx!, false),
    logSoftmaxBackward: ([y, dy], [dx]) => softmaxBackwardKernel(programs, y!, dy!, dx!, true),

    layerNorm: ([x, gamma, beta], [y, mean, rstd], { eps }) => {
      const [rows, d] = rowsOf(x!);
      if (!float32([x!, gamma!, beta!, y!, mean!, rstd!]) || !fits(rows * d)) return false;
      const stats = new Float32Array(rows * 2);
      programs.run(layerNormStatsSpec(rows, d, eps), [dense(x!)], stats, 0);
      programs.run(layerNormSpec(rows, d), [dense(x!), stats, dense(gamma!), dense(beta!)], f32(y!), y!.offset);
      const [mu, rs] = [dense(mean!), dense(rstd!)];
      for (let r = 0; r < rows; r++) {
        mu[r] = stats[2 * r]!;
        rs[r] = stats[2 * r + 1]!;
      }
    },

    layerNormBackward: ([x, gamma, mean, rstd, dy], [dx, dgamma, dbeta]) => {
      const [rows, d] = rowsOf(x!);
      if (!float32([x!, gamma!, mean!, rstd!, dy!, dx!, dgamma!, dbeta!]) || !fits(rows * d)) return false;
      const [xs, ms, rss, dys] = [dense(x!), dense(mean!), dense(rstd!), dense(dy!)];
      programs.run(layerNormDxSpec(rows, d), [xs, dense(gamma!), ms, rss, dys], f32(dx!), dx!.offset);
      const params = new Float32Array(2 * d);
      programs.run(layerNormDParamsSpec(rows, d), [xs, ms, rss, dys], params, 0);
      dense(dgamma!).set(params.subarray(0, d));
      dense(dbeta!).set(params.subarray(d));
    },

    adamw: ([param, grad, m, v], _outputs, { lr, beta1, beta2, eps, weightDecay, step }) => {
      const n = viewSize(param!);
      if (!float32([param!, grad!, m!, v!]) || !fits(n)) return false;
      const bc1 = 1 - Math.pow(beta1, step);
      const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
      // the kernels read the old param, m and v: each gets a snapshot, then the three results land
      const args = [dense(param!).slice(), dense(grad!), dense(m!).slice(), dense(v!).slice(), beta1, beta2, lr * weightDecay, lr / bc1, bc2Sqrt, eps];
      programs.run(adamwSpec('m', n), args, f32(m!), m!.offset);
      programs.run(adamwSpec('v', n), args, f32(v!), v!.offset);
      programs.run(adamwSpec('param', n), args, f32(param!), param!.offset);
    },
  };
}

function softmaxKernel(programs: ProgramCache, x: TensorView, y: TensorView, log: boolean): boolean | void {
  const [rows, d] = rowsOf(x);
  if (!float32([x, y]) || !fits(rows * d)) return false;
  programs.run(softmaxSpec(rows, d, log), [dense(x)], f32(y), y.offset);
}

function softmaxBackwardKernel(programs: ProgramCache, y: TensorView, dy: TensorView, dx: TensorView, log: boolean): boolean | void {
  const [rows, d] = rowsOf(y);
  if (!float32([y, dy, dx]) || !fits(rows * d)) return false;
  programs.run(softmaxBackwardSpec(rows, d, log), [dense(y), dense(dy)], f32(dx), dx.offset);
}
