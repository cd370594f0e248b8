import { GPU, type GPUInternalMode, type GPUMode, type IKernelRunShortcut } from 'gpu.js';

/** How a gpu.js kernel is addressed: its source text with every shape written in, and its output length. */
export interface ProgramSpec {
  /** A JavaScript function in the subset gpu.js translates (to GLSL on WebGL, to WebAssembly in Node). */
  readonly source: string;
  /** Elements the kernel writes, one per `this.thread.x`. */
  readonly outputLength: number;
}

/** What `compileStats()` reports: gpu.js builds (shader or wasm compiles), kernels held, and kernel runs. */
export interface CompileStats {
  readonly compiles: number;
  readonly programs: number;
  readonly runs: number;
}

/**
 * The gpu.js kernels of one backend, compiled once per shape class and reused.
 *
 * Every shape a kernel depends on (sizes, strides, loop bounds) is written into its source as a
 * literal, so the source text is the cache key: two calls with the same shapes get the same
 * compiled kernel, and WebGL's loops keep constant bounds (gpu.js caps dynamic loops). Scalars
 * that change between calls (alpha, the AdamW step) are kernel arguments, so they do not
 * recompile. A compile is counted from gpu.js's own state: a kernel that was not yet built before
 * a run, or one that gpu.js switched for another (an argument type it did not expect).
 */
export class ProgramCache {
  readonly gpu: GPU;
  private readonly programs = new Map<string, IKernelRunShortcut>();
  private compiles = 0;
  private runs = 0;

  constructor(mode?: GPUMode | GPUInternalMode) {
    this.gpu = new GPU(mode ? { mode } : {});
  }

  /** gpu.js's kernel class in use: 'webgl2', 'webgl', 'webasm', 'cpu', ... */
  get mode(): string {
    return this.gpu.mode ?? 'unknown';
  }

  /** Runs the kernel for `spec` on `args`; the result is copied into `out` at `outOffset`. */
  run(spec: ProgramSpec, args: readonly (Float32Array | number)[], out: Float32Array, outOffset: number): void {
    if (spec.outputLength === 0) return;
    const key = `${spec.outputLength}|${spec.source}`;
    let program = this.programs.get(key);
    if (!program) {
      program = this.gpu.createKernel(spec.source, {
        output: [spec.outputLength],
        precision: 'single',
        tactic: 'precision',
      });
      this.programs.set(key, program);
    }
    const before = program.kernel;
    const wasBuilt = before.built;
    const result = program(...(args as number[])) as Float32Array;
    if (!wasBuilt || program.kernel !== before) this.compiles++;
    this.runs++;
    // the result may be a view into gpu.js's own memory (the wasm heap), reused by its next run
    out.set(result.length === spec.outputLength ? result : result.subarray(0, spec.outputLength), outOffset);
  }

  stats(): CompileStats {
    return { compiles: this.compiles, programs: this.programs.size, runs: this.runs };
  }

  dispose(): void {
    for (const p of this.programs.values()) p.destroy?.();
    this.programs.clear();
    // gpu.js resolves this once its contexts are released; dispose() is synchronous, and a failure
    // to release them leaves nothing the caller could do, so it is logged rather than lost
    this.gpu.destroy().catch((err: unknown) => console.warn('gpujs: releasing the gpu.js contexts failed', err));
  }
}
