import { BUFFER_COPY_DST, BUFFER_UNIFORM } from './flags.js';
import { PARAM_BYTES, PARAM_WORDS } from './kernels/program.js';

/**
 * The uniform arena of one submission: every dispatch's small parameter block goes into a
 * 256-byte slot of one buffer, filled on the host and uploaded with a single `writeBuffer`
 * when the submission is made.
 */
export class ParamArena {
  readonly buffer: GPUBuffer;
  readonly capacity: number;
  private readonly host: Uint32Array;
  private used = 0;

  constructor(device: GPUDevice, capacity: number) {
    this.capacity = capacity;
    this.buffer = device.createBuffer({ size: capacity * PARAM_BYTES, usage: BUFFER_UNIFORM | BUFFER_COPY_DST });
    this.host = new Uint32Array(capacity * PARAM_WORDS);
  }

  /** Slots taken since the last upload. */
  get count(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.capacity;
  }

  /** Copies a parameter block into the next slot and returns the binding that reads it. */
  place(params: Uint32Array): GPUBufferBinding {
    const slot = this.used++;
    this.host.set(params, slot * PARAM_WORDS);
    return { buffer: this.buffer, offset: slot * PARAM_BYTES, size: PARAM_BYTES };
  }

  /** Queues the used slots' upload (ahead of the submission that reads them) and starts over. */
  upload(queue: GPUQueue): void {
    if (this.used > 0) queue.writeBuffer(this.buffer, 0, this.host.buffer, 0, this.used * PARAM_BYTES);
    this.used = 0;
  }
}
