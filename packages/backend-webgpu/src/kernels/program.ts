import type { DType, TensorView } from '@edora/tensor';

/**
 * What every kernel hands the backend: one compute dispatch. The backend turns the views into
 * bindings (one per distinct buffer and element kind: WebGPU forbids binding one buffer twice when
 * either binding is writable, so views sharing a buffer share a binding), prepends the binding
 * declarations and typed accessors to the kernel's WGSL, and caches the pipeline by `key` plus
 * that binding signature.
 */
export interface Dispatch {
  /** Op name for labels and error messages. */
  op: string;
  /** Shader variant: everything `wgsl` depends on besides the binding signature. */
  key: string;
  /** Inputs then outputs, in the order the kernel names them v0, v1, ... */
  views: readonly TensorView[];
  /** Per view: written by the kernel. */
  writes: readonly boolean[];
  /** Per view: bound as array<vec4<f32>> (GEMM operands) instead of array<u32>. */
  vec4?: readonly boolean[];
  /**
   * Per view: bind only this byte range of its buffer (view offsets are then relative to it). Used
   * to reach into buffers larger than the device's storage-binding limit piece by piece.
   */
  windows?: readonly (BindWindow | null)[];
  /** Kernel body (after the generated header); called only on a pipeline-cache miss. */
  wgsl: (h: Header) => string;
  /** Up to PARAM_WORDS 32-bit words, read in WGSL through pu(i), pi(i), pf(i). */
  params: ParamBuilder;
  /** Workgroup counts. */
  grid: readonly [number, number, number];
  /**
   * The kernel reports out-of-range ids through `reportBadIndex` (see fault.ts): the backend binds
   * its fault buffer after the views and checks it at the next read or sync.
   */
  faults?: boolean;
  /** WGSL extensions the kernel needs (`enable …;` lines), e.g. 'subgroups' for the subgroup reductions. */
  enables?: readonly WgslExtension[];
}

export type WgslExtension = 'subgroups';

export interface BindWindow {
  byteOffset: number;
  byteLength: number;
}

/** What planners may need to know about the device. */
export interface PlanContext {
  /** maxStorageBufferBindingSize of the device (or a lower cap set in the options). */
  maxBindingBytes: number;
  /** minStorageBufferOffsetAlignment of the device. */
  bindingAlignment: number;
  /** GEMM strategy: workgroup-memory tiles (GPUs) or barrier-free direct loads (CPU emulators). */
  gemm: 'tiled' | 'direct';
  /** The device has the `subgroups` feature and the options did not turn it off. */
  subgroups: boolean;
  /** The adapter is a CPU emulating a GPU: a few hundred invocations in flight fill it, not tens of thousands. */
  software: boolean;
}

export const PARAM_WORDS = 64;
export const PARAM_BYTES = PARAM_WORDS * 4;

/** Fills a params slot; floats are stored as their float32 bits. */
export class ParamBuilder {
  readonly u32 = new Uint32Array(PARAM_WORDS);
  readonly i32 = new Int32Array(this.u32.buffer);
  readonly f32 = new Float32Array(this.u32.buffer);
  u(i: number, v: number): this {
    this.u32[i] = v;
    return this;
  }
  i(i: number, v: number): this {
    this.i32[i] = v;
    return this;
  }
  f(i: number, v: number): this {
    this.f32[i] = v;
    return this;
  }
}

export interface Header {
  /** WGSL name of the binding that holds view k. */
  name: readonly string[];
}

export function wgslType(dtype: DType): 'f32' | 'i32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  throw new Error(`webgpu: no WGSL type for ${dtype}`);
}

/** Workgroup counts for `groups` workgroups, folded into y when x would exceed the 65,535 limit. */
export function grid1d(groups: number): [number, number, number] {
  if (groups <= 65535) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** Linear workgroup index inside a grid from `grid1d` (workgroup_id and num_workgroups in scope). */
export const WG_LINEAR = 'let wgi = wid.x + wid.y * nwg.x;';
