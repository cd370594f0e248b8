import { CudaOpError } from './errors.js';

/** Must equal EDORA_MAX_RANK / EDORA_MAX_OPERANDS in csrc/common.cuh. */
export const MAX_RANK = 8;
export const MAX_OPERANDS = 4;
/** sizeof(struct Map) in csrc/common.cuh: rank, n, shape[8], stride[4][8], offset[4] as int32. */
export const MAP_BYTES = 4 * (2 + MAX_RANK + MAX_OPERANDS * MAX_RANK + MAX_OPERANDS);

/** One kernel argument, as its C type in csrc/. */
export type Arg =
  | { t: 'ptr'; v: number } // a device pointer (CUdeviceptr)
  | { t: 'i32'; v: number }
  | { t: 'u32'; v: number }
  | { t: 'u64'; v: number }
  | { t: 'f32'; v: number }
  | { t: 'f64'; v: number }
  | { t: 'bytes'; v: Uint8Array; align: number }; // a struct passed by value

export const ptr = (v: number): Arg => ({ t: 'ptr', v });
export const i32 = (v: number): Arg => ({ t: 'i32', v });
export const u32 = (v: number): Arg => ({ t: 'u32', v });
export const u64 = (v: number): Arg => ({ t: 'u64', v });
export const f32 = (v: number): Arg => ({ t: 'f32', v });
export const f64 = (v: number): Arg => ({ t: 'f64', v });

const INT32_MAX = 2 ** 31 - 1;

/**
 * A `struct Map` (csrc/common.cuh) for an elementwise iteration over `shape`, operand 0 the output:
 * dims are collapsed first (size-1 dims dropped, dims that are contiguous for every operand merged),
 * so a dense op is rank 1.
 */
export function mapStruct(op: string, shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]): Uint8Array {
  const n = shape.reduce((p, s) => p * s, 1);
  if (n > INT32_MAX) throw new CudaOpError(`${op}: ${n} elements exceed the kernels' int32 indexing (at most ${INT32_MAX})`);
  if (strides.length > MAX_OPERANDS) throw new CudaOpError(`${op}: ${strides.length} operands, the map holds ${MAX_OPERANDS}`);
  // collapse: drop size-1 dims, merge d into the previous kept dim when every operand is contiguous across them
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k]![last] === s[d]! * size)) {
      dims[last] = dims[last]! * size;
      strides.forEach((s, k) => {
        st[k]![last] = s[d]!;
      });
    } else {
      dims.push(size);
      strides.forEach((s, k) => st[k]!.push(s[d]!));
    }
  }
  if (dims.length > MAX_RANK) {
    throw new CudaOpError(`${op}: shape [${shape.join(', ')}] stays rank ${dims.length} after merging dims; the kernels take at most ${MAX_RANK}`);
  }
  const buf = new Uint8Array(MAP_BYTES);
  const w = new Int32Array(buf.buffer);
  w[0] = dims.length;
  w[1] = n;
  for (let d = 0; d < dims.length; d++) w[2 + d] = dims[d]!;
  for (let k = 0; k < strides.length; k++) {
    for (let d = 0; d < dims.length; d++) {
      const s = st[k]![d]!;
      if (Math.abs(s) * dims[d]! > INT32_MAX) throw new CudaOpError(`${op}: stride ${s} × ${dims[d]} exceeds int32 indexing`);
      w[2 + MAX_RANK + k * MAX_RANK + d] = s;
    }
    w[2 + MAX_RANK + MAX_OPERANDS * MAX_RANK + k] = offsets[k]!;
  }
  return buf;
}

export const mapArg = (bytes: Uint8Array): Arg => ({ t: 'bytes', v: bytes, align: 4 });

/**
 * Kernel parameters in native memory: each argument in its own aligned slot of `arena`, and
 * `pointers[i]` holding the address of slot i (cuLaunchKernel's kernelParams). Both are allocated
 * once; a launch only rewrites them, and the driver copies the values at launch time.
 */
export class ParamArena {
  static readonly BYTES = 4096;
  static readonly SLOTS = 32;
  readonly arena: bigint;
  readonly pointers: bigint;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private readonly ptrView: BigUint64Array;

  constructor(alloc: (bytes: number) => bigint, view: (ptr: bigint, bytes: number) => ArrayBuffer) {
    this.arena = alloc(ParamArena.BYTES);
    this.pointers = alloc(ParamArena.SLOTS * 8);
    const ab = view(this.arena, ParamArena.BYTES);
    this.view = new DataView(ab);
    this.bytes = new Uint8Array(ab);
    this.ptrView = new BigUint64Array(view(this.pointers, ParamArena.SLOTS * 8));
  }

  /** Lays out `args`; returns the kernelParams pointer to pass. */
  pack(kernel: string, args: readonly Arg[]): bigint {
    if (args.length > ParamArena.SLOTS) throw new CudaOpError(`${kernel}: ${args.length} arguments, at most ${ParamArena.SLOTS}`);
    let off = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const align = a.t === 'bytes' ? a.align : a.t === 'i32' || a.t === 'u32' || a.t === 'f32' ? 4 : 8;
      off = Math.ceil(off / align) * align;
      const size = a.t === 'bytes' ? a.v.length : align;
      if (off + size > ParamArena.BYTES) throw new CudaOpError(`${kernel}: arguments exceed ${ParamArena.BYTES} bytes`);
      switch (a.t) {
        case 'ptr':
        case 'u64':
          this.view.setBigUint64(off, BigInt(a.v), true);
          break;
        case 'i32':
          this.view.setInt32(off, a.v, true);
          break;
        case 'u32':
          this.view.setUint32(off, a.v >>> 0, true);
          break;
        case 'f32':
          this.view.setFloat32(off, a.v, true);
          break;
        case 'f64':
          this.view.setFloat64(off, a.v, true);
          break;
        case 'bytes':
          this.bytes.set(a.v, off);
          break;
      }
      this.ptrView[i] = this.arena + BigInt(off);
      off += size;
    }
    return this.pointers;
  }
}
