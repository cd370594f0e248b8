import type { TensorView } from '@edora/tensor';
import type { Arg } from '../args.js';
import type { CudaBuffer } from '../backend.js';
import type { Cublas } from '../cublas.js';

/** What an op planner may do: launch kernels, borrow temporaries, call cuBLAS. */
export interface Runner {
  launch(kernel: string, grid: readonly [number, number, number], block: readonly [number, number, number], args: readonly Arg[]): void;
  /** A temporary device buffer; `release` it right after the launches that use it (frees are stream-ordered). */
  temp(bytes: number): CudaBuffer;
  release(buffer: CudaBuffer): void;
  readonly multiprocessors: number;
  readonly cublas: Cublas | null;
  /** The fault word's device pointer, armed so the next read/sync checks it. */
  faultPtr(): number;
  checkCublas(status: number, what: string): void;
}

/** Bytes per element of the 4-byte dtypes the backend holds. */
export const ELEMENT_BYTES = 4;

export function numel(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

/** Device address of a view's first element. */
export function addressOf(v: TensorView): number {
  return (v.buffer as CudaBuffer).ptr + v.offset * ELEMENT_BYTES;
}

/** Threads per block of the elementwise kernels. */
export const BLOCK = 256;

/**
 * Blocks for a grid-stride loop over n items with `per` items per block: enough to fill every
 * multiprocessor several times over, never more than the items need.
 */
export function gridFor(r: Runner, n: number, per = BLOCK): number {
  return Math.max(1, Math.min(Math.ceil(n / per), r.multiprocessors * 32));
}

/** Threads for one block reducing `len` items: a power of two, up to 256. */
export function reduceBlock(len: number): number {
  let b = 1;
  while (b < len && b < 256) b *= 2;
  return b;
}
