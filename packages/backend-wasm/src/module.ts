import { KERNELS_WASM_BASE64 } from './generated/kernels-wasm.js';

/** The exports of csrc/*.c (see the C source for what each does). */
export interface KernelExports {
  gemm_scratch_floats(rows: number, K: number, N: number, privateB: number): number;
  gemm_pack_shared_b(task: number): void;
  task_work(task: number, tid: number): number;
  adamw_f32(
    p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, stepSize: number, bc2Sqrt: number,
  ): void;
  gelu_f32(x: number, y: number, n: number): void;
  gelu_backward_f32(x: number, dy: number, dx: number, n: number): void;
  softmax_f32(x: number, y: number, tmp: number, rows: number, cols: number): void;
  softmax_backward_f32(y: number, dy: number, dx: number, rows: number, cols: number): void;
  philox_f32(out: number, n: number, offset: number, seed: number, bernoulli: number, low: number, span: number, p: number): void;
  binary_f32(op: number, a: number, amode: number, b: number, bmode: number, out: number, rows: number, cols: number): void;
  unary_f32(fn: number, x: number, y: number, n: number): void;
  reduce_sum_f32(x: number, out: number, outer: number, len: number, inner: number): void;
  rownorm_f32(w: number, out: number, rows: number, cols: number): void;
  layernorm_f32(x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, rows: number, cols: number, eps: number): void;
  layernorm_backward_f32(
    x: number, gamma: number, mean: number, rstd: number, dy: number, dx: number, dgamma: number, dbeta: number, rows: number, cols: number,
    scratch: number,
  ): void;
  copy4_b32(
    src: number, dst: number, n0: number, n1: number, n2: number, n3: number, s0: number, s1: number, s2: number, s3: number,
    d0: number, d1: number, d2: number, d3: number,
  ): void;
  __heap_base: WebAssembly.Global;
}

let compiled: WebAssembly.Module | null = null;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The compiled kernel module, shared by every backend instance and sent to workers (a
 * WebAssembly.Module is cheap to instantiate again; compiling is not). Compiled synchronously so
 * that the backend can be created synchronously and become the implicit default.
 */
export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
  return compiled;
}

export function instantiate(memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
}
