import type { Activation, OpAttrs, TensorView } from '@edora/tensor';
import { i32, ptr, type Arg } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import { ACTIVATION_CODES } from '../codes.js';
import { CUBLAS_OP_N, CUBLAS_OP_T } from '../cublas.js';
import { denseCopy } from './elementwise.js';
import { addressOf, BLOCK, gridFor, type Runner } from './runner.js';

/** sizeof(struct Gemm) in csrc/gemm.cu. */
const GEMM_BYTES = 104;
const TILE = 64;

interface Operands {
  a: TensorView;
  b: TensorView;
  out: TensorView;
  temps: CudaBuffer[];
}

/** GEMM kernels read A and B while writing out: an operand sharing out's buffer is copied first. */
function unaliased(r: Runner, a: TensorView, b: TensorView, out: TensorView): Operands {
  const temps: CudaBuffer[] = [];
  const fix = (v: TensorView): TensorView => {
    if (v.buffer !== out.buffer) return v;
    const t = denseCopy(r, v);
    temps.push(t);
    const [, R, C] = v.shape as [number, number, number];
    return { buffer: t, dtype: v.dtype, shape: v.shape, strides: [R * C, C, 1], offset: 0 };
  };
  return { a: fix(a), b: fix(b), out, temps };
}

/**
 * A BLAS layout of the [R, C] matrix part of a view: row-major (strides [ld, 1]) or column-major
 * ([1, ld]) with ld large enough for cuBLAS; null when the strides are neither (broadcast rows).
 */
function layout(v: TensorView): { row: boolean; ld: number } | null {
  const [, R, C] = v.shape as [number, number, number];
  const [, sr, sc] = v.strides as [number, number, number];
  if (sc === 1 || C === 1) {
    const ld = R === 1 ? Math.max(1, C) : sr;
    if (ld >= Math.max(1, C)) return { row: true, ld };
  }
  if (sr === 1 || R === 1) {
    const ld = C === 1 ? Math.max(1, R) : sc;
    if (ld >= Math.max(1, R)) return { row: false, ld };
  }
  return null;
}

/**
 * Row-major out = α A·B + β out through column-major cuBLAS: out viewed column-major is outᵀ =
 * Bᵀ·Aᵀ, so B goes first. A row-major operand read column-major is already its transpose (op N);
 * a column-major one needs op T. Returns false when the layouts do not suit cuBLAS.
 */
function cublasGemm(r: Runner, o: Operands, alpha: number, beta: number): boolean {
  const cublas = r.cublas;
  if (!cublas) return false;
  const [B, M, K] = o.a.shape as [number, number, number];
  const N = o.b.shape[2]!;
  const la = layout(o.a);
  const lb = layout(o.b);
  if (!la || !lb || K === 0) return false;
  const status = cublas.sgemmStridedBatched(
    lb.row ? CUBLAS_OP_N : CUBLAS_OP_T, la.row ? CUBLAS_OP_N : CUBLAS_OP_T, N, M, K, alpha,
    addressOf(o.b), lb.ld, B > 1 ? o.b.strides[0]! : 0, addressOf(o.a), la.ld, B > 1 ? o.a.strides[0]! : 0,
    beta, addressOf(o.out), Math.max(1, o.out.strides[1]!), B > 1 ? o.out.strides[0]! : 0, B,
  );
  r.checkCublas(status, `matmul [${B}, ${M}, ${K}] × [${B}, ${K}, ${N}]`);
  return true;
}

/** The backend's own tiled SGEMM (csrc/gemm.cu), any strides, optional bias + activation epilogue. */
function ownGemm(r: Runner, o: Operands, alpha: number, beta: number, bias: TensorView | null, act: Activation): void {
  const [B, M, K] = o.a.shape as [number, number, number];
  const N = o.b.shape[2]!;
  const g = new DataView(new ArrayBuffer(GEMM_BYTES));
  const setPtr = (off: number, p: number): void => g.setBigUint64(off, BigInt(p), true);
  setPtr(0, addressOf(o.a));
  setPtr(8, addressOf(o.b));
  setPtr(16, addressOf(o.out));
  setPtr(24, bias ? addressOf(bias) : 0);
  g.setBigInt64(32, BigInt(o.a.strides[0]!), true);
  g.setBigInt64(40, BigInt(o.b.strides[0]!), true);
  g.setBigInt64(48, BigInt(o.out.strides[0]!), true);
  const ints = [o.a.strides[1]!, o.a.strides[2]!, o.b.strides[1]!, o.b.strides[2]!, o.out.strides[1]!, bias ? bias.strides[0] ?? 1 : 0, M, N, K];
  ints.forEach((v, i) => g.setInt32(56 + 4 * i, v, true));
  g.setFloat32(92, alpha, true);
  g.setFloat32(96, beta, true);
  g.setInt32(100, ACTIVATION_CODES[act], true);
  const arg: Arg = { t: 'bytes', v: new Uint8Array(g.buffer), align: 8 };
  r.launch('sgemm_f32', [Math.ceil(N / TILE), Math.ceil(M / TILE), B], [BLOCK, 1, 1], [arg]);
}

export function matmul(r: Runner, a: TensorView, b: TensorView, out: TensorView, attrs: OpAttrs['matmul']): void {
  const [B, M] = a.shape as [number, number];
  const N = b.shape[2]!;
  if (B * M * N === 0) return;
  const o = unaliased(r, a, b, out);
  if (!cublasGemm(r, o, attrs.alpha, attrs.beta)) ownGemm(r, o, attrs.alpha, attrs.beta, null, 'none');
  for (const t of o.temps) r.release(t);
}

export function matmulBiasAct(r: Runner, a: TensorView, b: TensorView, bias: TensorView, out: TensorView, attrs: OpAttrs['matmulBiasAct']): void {
  const [B, M] = a.shape as [number, number];
  const N = b.shape[2]!;
  if (B * M * N === 0) return;
  const o = unaliased(r, a, b, out);
  if (cublasGemm(r, o, 1, 0)) {
    const total = B * M * N;
    r.launch('bias_act_f32', [gridFor(r, total), 1, 1], [BLOCK, 1, 1], [
      ptr(addressOf(out)), ptr(addressOf(bias)), i32(total), i32(N), i32(bias.strides[0] ?? 1), i32(ACTIVATION_CODES[attrs.activation]),
    ]);
  } else {
    ownGemm(r, o, 1, 0, bias, attrs.activation);
  }
  for (const t of o.temps) r.release(t);
}
