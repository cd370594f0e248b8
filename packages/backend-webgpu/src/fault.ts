import { BUFFER_COPY_DST, BUFFER_COPY_SRC, BUFFER_STORAGE } from './flags.js';
import { WebGpuIndexError } from './errors.js';

/**
 * Out-of-range ids, reported from inside shaders. A kernel cannot throw, so the kernels that read
 * row ids (gatherRows, scatterAddRows) bind one small device-wide "fault" buffer and, on an id
 * outside [0, rows), record which op, which id and the row count there (the first report wins;
 * later ones only count). The backend does not wait for it: the buffer rides along with the
 * staging copy that the next `read()` or `sync()` makes anyway (same command encoder, same
 * submission), is cleared right after that copy, and a recorded fault becomes a
 * `WebGpuIndexError` thrown from that `read()`/`sync()`.
 *
 * Layout (u32 words): 0 op code (0 = no fault), 1 the first bad id (i32 bits), 2 the table's row
 * count, 3 how many bad ids were met (gather and scatter-add each count an id once).
 */
export const FAULT_BYTES = 16;

/** Op codes written into word 0; index + 1 so that 0 means "no fault". */
const FAULT_OPS = ['gatherRows', 'scatterAddRows'] as const;
export type FaultOp = (typeof FAULT_OPS)[number];

export function faultCode(op: FaultOp): number {
  return FAULT_OPS.indexOf(op) + 1;
}

/**
 * WGSL for a kernel that reports faults: the binding and `reportBadIndex(op, id, rows, count)`.
 * The compare-exchange loops because the weak form may fail spuriously while the word is still 0.
 */
export function faultWgsl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> fault: array<atomic<u32>, 4>;
fn reportBadIndex(op: u32, id: i32, rows: u32, count: bool) {
  if (count) { atomicAdd(&fault[3], 1u); }
  loop {
    let r = atomicCompareExchangeWeak(&fault[0], 0u, op);
    if (r.exchanged) {
      atomicStore(&fault[1], bitcast<u32>(id));
      atomicStore(&fault[2], rows);
      break;
    }
    if (r.old_value != 0u) { break; }
  }
}`;
}

/** The device-side fault buffer and whether any dispatch that may write it ran since the last check. */
export class FaultBuffer {
  readonly buffer: GPUBuffer;
  /** A reporting kernel was recorded since the buffer was last copied out. */
  private armed = false;

  constructor(device: GPUDevice) {
    this.buffer = device.createBuffer({ size: FAULT_BYTES, usage: BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST });
  }

  arm(): void {
    this.armed = true;
  }

  /** Whether the next read/sync has to copy the buffer out. */
  get pending(): boolean {
    return this.armed;
  }

  /** Records a copy of the fault words into `stage` at `offset`, then a clear: no extra submission. */
  encodeCheck(encoder: GPUCommandEncoder, stage: GPUBuffer, offset: number): void {
    encoder.copyBufferToBuffer(this.buffer, 0, stage, offset, FAULT_BYTES);
    encoder.clearBuffer(this.buffer, 0, FAULT_BYTES);
    this.armed = false;
  }
}

/** The error a copied-out fault record describes, or null when no id was out of range. */
export function faultError(words: Uint32Array, where: string): WebGpuIndexError | null {
  const code = words[0]!;
  if (code === 0) return null;
  const op = FAULT_OPS[code - 1] ?? `op #${code}`;
  const id = words[1]! | 0;
  const rows = words[2]!;
  const count = words[3]!;
  const more = count > 1 ? `; ${count} out-of-range ids in all since the last check` : '';
  const effect = op === 'gatherRows' ? 'its output holds zeros for that id' : 'the id was skipped';
  return new WebGpuIndexError(
    `webgpu ${op}: index ${id} is out of range for a table of ${rows} rows (expected 0 ≤ index < ${rows})${more}. ` +
      `Raised at ${where} because a shader cannot throw: the op ran earlier and ${effect}`,
  );
}
