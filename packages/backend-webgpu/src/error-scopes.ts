import { WebGpuOutOfMemoryError, WebGpuValidationError, type WebGpuError } from './errors.js';

interface PendingScope {
  ops: string[];
  errors: Promise<(GPUError | null)[]>;
}

/**
 * The validation and out-of-memory error scopes the backend keeps open around everything it
 * does. Each submission closes them (remembering that submission's ops) and opens new ones;
 * `raise` waits for what the closed scopes caught and throws the first as a typed error naming
 * the submission's ops.
 */
export class ErrorScopes {
  private pending: PendingScope[] = [];

  constructor(private readonly device: GPUDevice) {}

  open(): void {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
  }

  close(ops: string[]): void {
    const oom = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.pending.push({ ops, errors: Promise.all([oom, validation]) });
  }

  /**
   * Throws the first error any closed scope caught. With no encoder open (`recording` false), the
   * calls since the last submission (an allocation, a write) are closed and checked too.
   */
  async raise(recording: boolean): Promise<void> {
    if (!recording) {
      this.close(['alloc/write']);
      this.open();
    }
    const pending = this.pending;
    this.pending = [];
    let first: WebGpuError | null = null;
    for (const p of pending) {
      const [oom, validation] = await p.errors;
      if (first) continue;
      const where = `in a submission of [${summarize(p.ops)}]`;
      if (oom) first = new WebGpuOutOfMemoryError(`webgpu: out of memory ${where}: ${oom.message}`);
      else if (validation) first = new WebGpuValidationError(`webgpu: validation error ${where}: ${validation.message}`);
    }
    if (first) throw first;
  }
}

/** "matmul ×3, add" for an op list. */
function summarize(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => (n > 1 ? `${o} ×${n}` : o)).join(', ');
}
