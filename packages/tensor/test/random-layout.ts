import type { CpuBackend, DType, TensorView } from '@edora/tensor';

/**
 * Random memory layouts for kernel tests: a view of a logical shape whose dims are stored in a
 * random order, with gaps between them, at an offset, and (for inputs) some dims broadcast with
 * stride 0. Values are read back by their logical index, independently of the kernels' iteration.
 */
export interface Layout {
  view: TensorView;
  /** element offsets (into the view's buffer) of the logical elements, in row-major order */
  offsets: number[];
  /** the whole buffer as a typed array of the view's dtype */
  data: Float32Array | Float64Array | Int32Array;
}

export const SENTINEL = -777;

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 1e30, -1e-30, 3.5, -2.25];

/** Row-major element offsets of every logical index of `shape` for the given strides. */
export function logicalOffsets(shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const idx = shape.map(() => 0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let e = 0; e < total; e++) {
    out.push(idx.reduce((p, i, d) => p + i * strides[d]!, offset));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

export interface LayoutOptions {
  /** dims to broadcast (stride 0); default: none */
  broadcast?: readonly boolean[];
  /** storage order of the dims, outermost first; default: random */
  order?: readonly number[];
  /** no gaps between dims and no offset (with the default order: a contiguous view) */
  dense?: boolean;
  /** fill: 'values' (in [−3, 3) with NaN, ±∞, ±0 among them), 'finite' (no specials), 'ints' (small integers), 'sentinel' */
  fill?: 'values' | 'finite' | 'ints' | 'sentinel';
}

export function randomLayout(backend: CpuBackend, rng: () => number, shape: readonly number[], dtype: DType, options: LayoutOptions = {}): Layout {
  const rank = shape.length;
  const dense = options.dense ?? false;
  const order = options.order ?? (dense ? shape.map((_, i) => i) : shapeOrder(rank, rng));
  const strides = new Array<number>(rank).fill(0);
  let step = !dense && rng() < 0.2 ? 2 : 1;
  for (let k = rank - 1; k >= 0; k--) {
    const d = order[k]!;
    strides[d] = step;
    step *= shape[d]! + (!dense && rng() < 0.25 ? 1 : 0);
  }
  options.broadcast?.forEach((b, d) => {
    if (b) strides[d] = 0;
  });
  const offset = dense ? 0 : Math.floor(rng() * 3);
  const extent = shape.some((s) => s === 0) ? 0 : shape.reduce((p, s, d) => p + (s - 1) * strides[d]!, 0) + 1;
  const length = offset + extent + 2;
  const bpe = dtype === 'float64' ? 8 : 4;
  const buffer = backend.alloc(length * bpe);
  const data = dtype === 'float64' ? new Float64Array(length) : dtype === 'int32' ? new Int32Array(length) : new Float32Array(length);
  const fill = options.fill ?? (dtype === 'int32' ? 'ints' : 'values');
  for (let i = 0; i < length; i++) {
    if (fill === 'sentinel') data[i] = SENTINEL;
    else if (fill === 'ints') data[i] = Math.floor(rng() * 21) - 10;
    else if (fill === 'values' && rng() < 0.1) data[i] = SPECIALS[Math.floor(rng() * SPECIALS.length)]!;
    else data[i] = rng() * 6 - 3;
  }
  backend.write(buffer, data);
  const view: TensorView = { buffer, dtype, shape: [...shape], strides, offset };
  return { view, offsets: logicalOffsets(shape, strides, offset), data };
}

/** Stores `values` (row-major logical order) into the layout's elements. */
export function setValues(backend: CpuBackend, layout: Layout, values: ArrayLike<number>): void {
  layout.offsets.forEach((p, i) => {
    layout.data[p] = values[i]!;
  });
  backend.write(layout.view.buffer, layout.data);
}

/** The buffer of a layout as the kernels left it. */
export function readBack(backend: CpuBackend, layout: Layout): Float32Array | Float64Array | Int32Array {
  const bytes = backend.readSync(layout.view.buffer, 0, layout.data.byteLength);
  const { buffer } = bytes.slice();
  const dtype = layout.view.dtype;
  return dtype === 'float64' ? new Float64Array(buffer) : dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
}

function shapeOrder(rank: number, rng: () => number): number[] {
  const order = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** A random shape of rank 0–4 with dims 1–7, sometimes a 0, sometimes a long last dim. */
export function randomShape(rng: () => number): number[] {
  const rank = Math.floor(rng() * 5);
  const shape = Array.from({ length: rank }, () => (rng() < 0.03 ? 0 : 1 + Math.floor(rng() * 7)));
  if (rank > 0 && rng() < 0.2) shape[rank - 1] = 64 + Math.floor(rng() * 80);
  return shape;
}

/** Random broadcast flags for the dims of `shape` (about one in three). */
export function randomBroadcast(rng: () => number, rank: number): boolean[] {
  return Array.from({ length: rank }, () => rng() < 0.3);
}

/** The value a typed-array store of `v` reads back as in `dtype`. */
export function stored(dtype: DType, v: number): number {
  return dtype === 'float32' ? Math.fround(v) : dtype === 'int32' ? v | 0 : v;
}
