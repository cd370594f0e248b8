import type { BackendBuffer, BackendV1, OpName, TensorView } from '../contract.js';
import { bytesPerElement } from '../../dtype.js';
import { contiguousStrides } from '../../shape.js';
import { isDense, viewSize } from './layout.js';

/**
 * Runs `kernel` on dense views only, for a backend whose kernels (all but `copy`) take contiguous
 * operands (`capabilities.denseOnly`): each strided or broadcast input is first copied into a
 * fresh dense buffer by the backend's own `copy`; a strided output gets a dense stand-in that
 * starts as a copy of it (ops such as `matmul` with beta ≠ 0 read their output) and is copied
 * back after the kernel. An output view identical to an input view shares its stand-in, so an
 * in-place op stays in place. Temporaries go back to the backend when the kernel has been enqueued.
 */
export function runDense(
  backend: BackendV1, op: OpName, inputs: readonly TensorView[], outputs: readonly TensorView[],
  kernel: (inputs: readonly TensorView[], outputs: readonly TensorView[]) => void,
): void {
  if (op === 'copy' || (inputs.every(isDense) && outputs.every(isDense))) {
    kernel(inputs, outputs);
    return;
  }
  const temps: BackendBuffer[] = [];
  const standIns = new Map<TensorView, TensorView>();
  const standIn = (v: TensorView): TensorView => {
    for (const [orig, dense] of standIns) if (sameView(orig, v)) return dense;
    const buffer = backend.alloc(Math.max(viewSize(v), 1) * bytesPerElement(v.dtype));
    temps.push(buffer);
    const dense: TensorView = { buffer, dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
    backend.run('copy', [v], [dense], {});
    standIns.set(v, dense);
    return dense;
  };
  try {
    const ins = inputs.map((v) => (isDense(v) ? v : standIn(v)));
    const outs = outputs.map((v) => (isDense(v) ? v : standIn(v)));
    kernel(ins, outs);
    outputs.forEach((v, i) => {
      if (outs[i] !== v) backend.run('copy', [outs[i]!], [v], {});
    });
  } finally {
    for (const t of temps) backend.free(t);
  }
}

function sameView(a: TensorView, b: TensorView): boolean {
  return a.buffer === b.buffer && a.dtype === b.dtype && a.offset === b.offset &&
    a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i] && a.strides[i] === b.strides[i]);
}
