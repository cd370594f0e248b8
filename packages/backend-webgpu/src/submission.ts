import type { ParamArena } from './arena.js';
import type { ErrorScopes } from './error-scopes.js';

/**
 * Records the backend's work into one command encoder (one compute pass between copies) until it
 * is submitted: the arena's parameter blocks are uploaded ahead of it, and the error scopes are
 * closed on its ops and reopened. Remembers which buffers recorded work touches, so a host write
 * to one of them can submit first.
 */
export class CommandRecorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private ops: string[] = [];
  private readonly touched = new Set<GPUBuffer>();
  private submitted = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly arena: ParamArena,
    private readonly scopes: ErrorScopes,
  ) {}

  /** Whether unsubmitted work is recorded (an encoder is open). */
  get recording(): boolean {
    return this.encoder !== null;
  }

  /** Submissions made so far. */
  get submissions(): number {
    return this.submitted;
  }

  /** The encoder with no compute pass open, for copies. */
  copyEncoder(): GPUCommandEncoder {
    this.endPass();
    return this.encoderOrNew();
  }

  /** The open compute pass (begun on first use after a copy or a submission). */
  computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.encoderOrNew().beginComputePass();
    return this.pass;
  }

  /** Names recorded work in error messages (one entry per dispatch or copy). */
  note(op: string): void {
    this.ops.push(op);
  }

  touch(...buffers: GPUBuffer[]): void {
    for (const b of buffers) this.touched.add(b);
  }

  /** Whether recorded, unsubmitted work uses this buffer. */
  touches(buffer: GPUBuffer): boolean {
    return this.touched.has(buffer);
  }

  /** Submits what was recorded (nothing when nothing was). */
  submit(): void {
    if (!this.encoder) return;
    this.endPass();
    const cmd = this.encoder.finish();
    this.arena.upload(this.device.queue);
    this.device.queue.submit([cmd]);
    this.submitted++;
    this.encoder = null;
    this.touched.clear();
    this.scopes.close(this.ops);
    this.ops = [];
    this.scopes.open();
  }

  /** Forgets recorded work without submitting it (the device is being destroyed). */
  drop(): void {
    this.pass = null;
    this.encoder = null;
  }

  private encoderOrNew(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}
