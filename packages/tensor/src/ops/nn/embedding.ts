import { ArgumentError, ShapeError } from '../../errors.js';
import { shapeStr } from '../../shape.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { zeros } from '../creation.js';
import { runOp, runOpInto } from '../dispatch.js';
import { assign } from '../inplace.js';
import { contiguous, reshape } from '../views.js';

export interface EmbeddingOptions {
  /** A row that gets no gradient, however often it is looked up (torch's padding_idx). */
  paddingIdx?: number;
}

/** Rows of `table` [V, D] picked by int32 `ids` of any shape → [...ids.shape, D]. */
export function embedding(table: Tensor, ids: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (table.rank !== 2) throw new ShapeError(`embedding: table must be [V, D], got ${shapeStr(table.shape)}`);
  if (ids.dtype !== 'int32') throw new ShapeError(`embedding: ids must be int32, got ${ids.dtype} ${shapeStr(ids.shape)}`);
  const [V, D] = table.shape as [number, number];
  const pad = options.paddingIdx;
  if (pad !== undefined && !(Number.isInteger(pad) && pad >= 0 && pad < V)) {
    throw new ArgumentError(`embedding: paddingIdx must be an integer in [0, ${V}) for a table ${shapeStr(table.shape)}, got ${pad}`);
  }
  const flat = reshape(ids, [ids.size]);
  const tc = contiguous(table);
  const rows = runOp('gatherRows', [tc, flat], [{ shape: [ids.size, D], dtype: table.dtype }], {})[0]!;
  if (tc !== table) tc.dispose();
  const g = recordOp(rows, 'embedding', [table], [flat], (grad, [idx]) => {
    const out = zeros([V, D], { backend: grad.backend, dtype: grad.dtype });
    const gc = contiguous(grad);
    runOpInto('scatterAddRows', [gc, idx!], [out], {});
    // torch's padding_idx: the row's gradient is zero, not the sum of the rows that looked it up
    if (pad !== undefined) assign(out.slice(0, pad, pad + 1), 0);
    return [out];
  });
  flat.dispose();
  const out = reshape(g, [...ids.shape, D]);
  g.dispose();
  return out;
}
