import { ShapeError } from '../errors.js';
import { normAxis, shapeStr } from '../shape.js';
import { allocTensor, makeView, recordOp, type Tensor } from '../tensor.js';
import { backendOf, runOpInto } from './dispatch.js';
import { slice, unsqueeze } from './views.js';

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: expected at least one tensor');
  const first = tensors[0]!;
  const a = normAxis(axis, first.rank, 'concat');
  for (const t of tensors) {
    if (t.rank !== first.rank || t.dtype !== first.dtype || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes must match except on axis ${a} and dtypes must agree; got ${tensors.map((x) => `${shapeStr(x.shape)} ${x.dtype}`).join(', ')}`,
      );
    }
  }
  const backend = backendOf('concat', tensors);
  const shape = [...first.shape];
  shape[a] = tensors.reduce((n, t) => n + t.shape[a]!, 0);
  const out = allocTensor(backend, first.dtype, shape);
  let at = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(at);
    const region = makeView(out, t.shape, out.strides, at * out.strides[a]!);
    runOpInto('copy', [t], [region], {});
    region.dispose();
    at += t.shape[a]!;
  }
  const sizes = tensors.map((t) => t.shape[a]!);
  return recordOp(out, 'concat', tensors, [], (g) => sizes.map((n, i) => slice(g, a, starts[i]!, starts[i]! + n)));
}

/** Joins tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: expected at least one tensor');
  const a = normAxis(axis, tensors[0]!.rank + 1, 'stack');
  const parts = tensors.map((t) => unsqueeze(t, a));
  const out = concat(parts, a);
  for (const p of parts) p.dispose();
  return out;
}
