import type { Tensor } from '@edora/tensor';
import type { CheckpointMeta, EpochRecord, StepRecord, TrainSink } from '../../src/index.js';

export interface Captured {
  steps: StepRecord[];
  epochs: EpochRecord[];
  checkpoints: { bytes: Uint8Array; meta: CheckpointMeta }[];
}

/** A sink that keeps every record and checkpoint in memory. */
export function capture(): { sink: TrainSink; got: Captured } {
  const got: Captured = { steps: [], epochs: [], checkpoints: [] };
  return {
    got,
    sink: {
      log: (r) => void (r.type === 'step' ? got.steps.push(r) : got.epochs.push(r)),
      checkpoint: (bytes, meta) => void got.checkpoints.push({ bytes, meta: structuredClone(meta) }),
    },
  };
}

/** A tensor's float32 values as bytes, for bit-for-bit comparisons. */
export async function bytesOf(t: Tensor): Promise<Uint8Array> {
  const d = (await t.data()) as Float32Array;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}
