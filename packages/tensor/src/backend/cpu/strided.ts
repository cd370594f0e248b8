/**
 * Iteration over strided views. Kernels call `forEachRow`, which merges dimensions that are
 * contiguous for every operand (so a contiguous tensor is a single row) and hands the kernel one
 * innermost row at a time: the starting offset of each operand, the row length and each
 * operand's inner stride. The kernel runs the tight loop itself.
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): {
  shape: number[];
  strides: number[][];
} {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[d]!;
      });
    } else {
      outShape.push(size);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

export type RowFn = (offsets: Int32Array | number[], length: number, innerStrides: number[]) => void;

export function forEachRow(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], fn: RowFn): void {
  for (const d of shape) if (d === 0) return;
  const c = collapseDims(shape, strides);
  const rank = c.shape.length;
  const nOps = strides.length;
  const offs = offsets.slice();
  if (rank === 0) {
    fn(offs, 1, new Array<number>(nOps).fill(0));
    return;
  }
  const inner = c.shape[rank - 1]!;
  const innerStrides = c.strides.map((s) => s[rank - 1]!);
  if (rank === 1) {
    fn(offs, inner, innerStrides);
    return;
  }
  const outer = c.shape.slice(0, rank - 1);
  const counter = new Array<number>(rank - 1).fill(0);
  const cur = offs.slice();
  for (;;) {
    fn(cur, inner, innerStrides);
    // increment the odometer over the outer dims
    let d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let k = 0; k < nOps; k++) cur[k]! += c.strides[k]![d]!;
      if (counter[d]! < outer[d]!) break;
      for (let k = 0; k < nOps; k++) cur[k]! -= c.strides[k]![d]! * outer[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}
