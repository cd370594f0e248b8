import type { GemmArgs } from './gemm.js';

/**
 * A GEMM that runs somewhere other than the wasm kernels but on the same bytes: in Node, an
 * optimized BLAS called on pointers into the shared wasm memory (see node-blas.ts). Every other
 * kernel of the backend is unchanged.
 */
export interface ExternalGemm {
  /** What runs the products, for `capabilities.device` and `edora backends` ("OpenBLAS 0.3.21 …"). */
  readonly description: string;
  /**
   * `out[i] = alpha · a[i] @ b[i] + beta · out[i]` (+ `bias` on every row) for every batch entry,
   * all float32 views into `memory`. Returns false, having written nothing, when it cannot take
   * these views (the wasm kernel then runs).
   */
  run(memory: WebAssembly.Memory, call: GemmCall): boolean;
}

/** The wasm GEMM's arguments without its ReLU epilogue (the backend keeps ReLU products on the wasm GEMM). */
export type GemmCall = Omit<GemmArgs, 'relu'>;

/** How a BLAS reads one row-major matrix operand: as stored, or as the transpose of what is stored. */
export interface BlasOperand {
  transposed: boolean;
  /** the leading dimension: elements between rows of the stored matrix */
  ld: number;
}

/**
 * The BLAS description of a [rows, cols] matrix with element strides (rowStride, colStride), or
 * null when no (trans, ld) pair reads it (broadcast rows, both strides non-unit, rows overlapping).
 * A dimension of length 1 has no meaningful stride, so it never disqualifies a layout.
 */
export function blasOperand(rows: number, cols: number, rowStride: number, colStride: number): BlasOperand | null {
  if (colStride === 1 || cols === 1) {
    const ld = rows === 1 ? Math.max(cols, 1) : rowStride;
    if (ld >= Math.max(cols, 1)) return { transposed: false, ld };
  }
  if (rowStride === 1 || rows === 1) {
    const ld = cols === 1 ? Math.max(rows, 1) : colStride;
    if (ld >= Math.max(rows, 1)) return { transposed: true, ld };
  }
  return null;
}
