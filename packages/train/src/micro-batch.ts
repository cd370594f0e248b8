import type { Batch } from '@edora/glue';
import { BackendError } from '@edora/tensor';

/**
 * Splits a batch into micro-batches of at most `rows` rows, in order. Every piece keeps the whole
 * batch's padded length, so each row sees exactly the tokens it would in the whole batch; the
 * arrays are views, nothing is copied.
 */
export function splitBatch(batch: Batch, rows: number): Batch[] {
  if (rows >= batch.batchSize) return [batch];
  const parts: Batch[] = [];
  const L = batch.seqLength;
  for (let r = 0; r < batch.batchSize; r += rows) {
    const end = Math.min(batch.batchSize, r + rows);
    parts.push({
      batchSize: end - r,
      seqLength: L,
      inputIds: batch.inputIds.subarray(r * L, end * L),
      attentionMask: batch.attentionMask.subarray(r * L, end * L),
      labels: batch.labels ? batch.labels.subarray(r, end) : null,
      idx: batch.idx.subarray(r, end),
    });
  }
  return parts;
}

/** A backend said it could not allocate (`BackendError.outOfMemory`): smaller pieces of the same work may fit. */
export function isOutOfMemory(err: unknown): err is BackendError {
  return err instanceof BackendError && err.outOfMemory;
}
