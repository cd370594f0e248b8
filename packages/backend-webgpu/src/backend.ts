import { MemoryLedger } from '@edora/tensor/backend-kit';
import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo, type OpAttrs,
  type OpName, type TensorView,
} from '@edora/tensor';
import { acquireDevice, type DeviceFeatures, type DeviceOptions } from './device.js';
import { ParamArena } from './arena.js';
import { ErrorScopes } from './error-scopes.js';
import { WebGpuDeviceLostError, WebGpuLimitError, WebGpuOpError } from './errors.js';
import { BUFFER_COPY_DST, BUFFER_COPY_SRC, BUFFER_MAP_READ, BUFFER_STORAGE, MAP_MODE_READ } from './flags.js';
import { FAULT_BYTES, FaultBuffer, faultError } from './fault.js';
import { planOp, planners } from './kernels/index.js';
import type { Dispatch, PlanContext } from './kernels/program.js';
import { PipelineCache, planBindings } from './pipelines.js';
import { BufferPool, type PoolStats } from './pool.js';
import { CommandRecorder } from './submission.js';

/** A backend allocation: a pooled GPU buffer (its size is the bucket, ≥ byteLength). */
export interface WebGpuBuffer extends BackendBuffer {
  readonly gpu: GPUBuffer;
}

export interface WebGpuBackendOptions extends DeviceOptions {
  /** Registry name (default "webgpu"). */
  name?: string;
  /** Freed bytes the pool keeps for reuse before destroying buffers (default 1 GiB). */
  maxPooledBytes?: number;
  /**
   * Cap on bytes bound per storage binding, below the device's maxStorageBufferBindingSize (tests
   * use it to exercise the piecewise paths without 128 MiB tensors).
   */
  maxBindingBytes?: number;
  /**
   * GEMM kernel: 'tiled' (workgroup-memory tiles, for GPUs), 'direct' (no barriers, for CPU
   * emulators such as lavapipe), or 'auto' (default): 'direct' on software adapters.
   */
  gemmKernel?: 'auto' | 'tiled' | 'direct';
  /** Dispatches recorded before a submission is forced (default 256). */
  maxDispatchesPerSubmit?: number;
  /**
   * An object that must outlive the device. Dawn's `create()` result in Node: if it is garbage
   * collected while a device from it lives, the process crashes, so the backend holds it.
   */
  keepAlive?: unknown;
}

const FLOAT_ONLY = new Set<OpName>(['matmul', 'matmulBiasAct', 'adamw', 'softmax', 'softmaxBackward', 'logSoftmax',
  'logSoftmaxBackward', 'layerNorm', 'layerNormBackward', 'geluBackward', 'rowNorm']);

/**
 * The WebGPU backend. `run` records compute dispatches into one command encoder (one compute
 * pass between copies) and submits when a read needs results, a host write would race recorded
 * work, `flush()`/`sync()` is called, or `maxDispatchesPerSubmit` is reached: a training step is
 * a few submissions and one wait, for the loss (submission.ts). Every op's small parameter block
 * goes into one uniform arena per submission (arena.ts).
 *
 * Errors: validation and out-of-memory error scopes stay open around everything the backend
 * does; each submission closes them and opens new ones, and the next `sync()` or `read()` raises
 * what they caught as a typed error naming that submission's ops (error-scopes.ts). Out-of-range
 * row ids are recorded by the kernels in a fault buffer that the same read or sync copies out
 * (fault.ts).
 */
export class WebGpuBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly device: GPUDevice;
  readonly maxBindingBytes: number;
  /** Optional features in use (subgroup reductions), as acquired. */
  readonly features: Readonly<DeviceFeatures>;
  private readonly plan: PlanContext;

  private readonly pool: BufferPool;
  private readonly staging: BufferPool;
  private readonly pipelines: PipelineCache;
  private readonly arena: ParamArena;
  private readonly faults: FaultBuffer;
  private readonly scopes: ErrorScopes;
  private readonly recorder: CommandRecorder;
  private readonly ledger = new MemoryLedger<WebGpuBuffer>();
  private lostMessage: string | null = null;
  private disposed = false;
  private keepAlive: unknown;

  constructor(
    device: GPUDevice, description: string, options: WebGpuBackendOptions = {}, software = false,
    features: DeviceFeatures = { subgroups: false },
  ) {
    this.device = device;
    this.name = options.name ?? 'webgpu';
    this.keepAlive = options.keepAlive;
    this.maxBindingBytes = Math.min(device.limits.maxStorageBufferBindingSize, options.maxBindingBytes ?? Infinity);
    const gemm = options.gemmKernel === 'tiled' || options.gemmKernel === 'direct' ? options.gemmKernel : software ? 'direct' : 'tiled';
    // subgroup kernels need the feature on this device, whatever the caller claims
    this.features = { ...features, subgroups: features.subgroups && device.features.has('subgroups') };
    this.plan = {
      maxBindingBytes: this.maxBindingBytes, bindingAlignment: device.limits.minStorageBufferOffsetAlignment, gemm,
      subgroups: this.features.subgroups, software,
    };
    this.capabilities = { float64: false, maxBufferBytes: device.limits.maxBufferSize, async: true, device: description };
    this.pool = new BufferPool(
      (size) => device.createBuffer({ size, usage: BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST }),
      options.maxPooledBytes ?? 2 ** 30,
    );
    this.staging = new BufferPool((size) => device.createBuffer({ size, usage: BUFFER_MAP_READ | BUFFER_COPY_DST }), 2 ** 28);
    this.pipelines = new PipelineCache(device);
    this.arena = new ParamArena(device, options.maxDispatchesPerSubmit ?? 256);
    this.faults = new FaultBuffer(device);
    this.scopes = new ErrorScopes(device);
    this.recorder = new CommandRecorder(device, this.arena, this.scopes);
    void device.lost.then((info) => {
      if (!this.disposed) this.lostMessage = `${info.reason}: ${info.message}`;
    });
    this.scopes.open();
  }

  // --- memory ---

  alloc(byteLength: number): BackendBuffer {
    this.checkUsable('alloc');
    if (!(byteLength >= 0) || byteLength > this.capabilities.maxBufferBytes) {
      throw new WebGpuLimitError(`alloc: cannot allocate ${byteLength} bytes; the device's maxBufferSize is ${this.capabilities.maxBufferBytes}`);
    }
    return this.ledger.add({ byteLength, gpu: this.pool.acquire(byteLength) });
  }

  free(buffer: BackendBuffer): void {
    const b = buffer as WebGpuBuffer;
    if (this.disposed || !this.ledger.remove(b)) return;
    this.pool.release(b.gpu, b.byteLength);
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.checkUsable('write');
    const b = buffer as WebGpuBuffer;
    if (byteOffset % 4 !== 0 || data.byteLength % 4 !== 0) {
      throw new WebGpuOpError(`write: offset and length must be multiples of 4 bytes; found offset ${byteOffset}, length ${data.byteLength}`);
    }
    if (byteOffset + data.byteLength > b.byteLength) {
      throw new WebGpuOpError(`write: ${data.byteLength} bytes at offset ${byteOffset} overrun a buffer of ${b.byteLength} bytes`);
    }
    // recorded but unsubmitted work on this buffer must run before the queue-timeline write
    if (this.recorder.touches(b.gpu)) this.flush();
    if (data.byteLength > 0) this.device.queue.writeBuffer(b.gpu, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  async read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    this.checkUsable('read');
    const b = buffer as WebGpuBuffer;
    if (byteLength === 0) {
      await this.sync();
      return new Uint8Array(0);
    }
    const start = byteOffset - (byteOffset % 4);
    const size = Math.ceil((byteOffset + byteLength - start) / 4) * 4;
    // the fault record rides in the same staging buffer, after the data: no extra copy or wait
    const checkFaults = this.faults.pending;
    const total = size + (checkFaults ? FAULT_BYTES : 0);
    const stage = this.staging.acquire(total);
    const encoder = this.recorder.copyEncoder();
    encoder.copyBufferToBuffer(b.gpu, start, stage, 0, size);
    if (checkFaults) this.faults.encodeCheck(encoder, stage, size);
    this.recorder.note('read');
    this.flush();
    const [out, fault] = await this.mapStaged(stage, total, 'read', (mapped) => [
      new Uint8Array(mapped).slice(byteOffset - start, byteOffset - start + byteLength),
      checkFaults ? faultError(new Uint32Array(mapped, size, FAULT_BYTES / 4), 'read()') : null,
    ] as const);
    await this.raiseErrors();
    if (fault) throw fault;
    return out;
  }

  /** Waits for a staging buffer, hands its first `size` bytes to `take` (which copies) and returns it to the pool. */
  private async mapStaged<T>(stage: GPUBuffer, size: number, what: string, take: (mapped: ArrayBuffer) => T): Promise<T> {
    try {
      await stage.mapAsync(MAP_MODE_READ, 0, size);
    } catch (err) {
      await this.raiseErrors();
      this.checkUsable(what);
      throw err;
    }
    const taken = take(stage.getMappedRange(0, size));
    stage.unmap();
    this.staging.release(stage, size);
    return taken;
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    this.checkUsable('copyBuffer');
    if (byteLength === 0) return;
    if (srcByteOffset % 4 !== 0 || dstByteOffset % 4 !== 0 || byteLength % 4 !== 0) {
      throw new WebGpuOpError(`copyBuffer: offsets and length must be multiples of 4 bytes; found ${srcByteOffset}, ${dstByteOffset}, ${byteLength}`);
    }
    const s = (src as WebGpuBuffer).gpu;
    const d = (dst as WebGpuBuffer).gpu;
    this.recorder.copyEncoder().copyBufferToBuffer(s, srcByteOffset, d, dstByteOffset, byteLength);
    this.recorder.touch(s, d);
    this.recorder.note('copyBuffer');
  }

  // --- ops ---

  supportsOp(op: OpName, dtypes: readonly DType[]): boolean {
    if (!(op in planners) || op === 'dropout') return false;
    if (dtypes.includes('float64')) return false;
    if (FLOAT_ONLY.has(op) && dtypes.includes('int32')) return false;
    return true;
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    this.checkUsable(op);
    for (const v of [...inputs, ...outputs]) {
      if (v.dtype === 'float64') {
        throw new WebGpuOpError(`${op}: the webgpu backend holds float32 and int32 only; found a float64 view of shape [${v.shape.join(', ')}]`);
      }
    }
    const temps: WebGpuBuffer[] = [];
    if (op === 'matmul' || op === 'matmulBiasAct') inputs = this.unaliasOperands(inputs, outputs[0]!, temps);
    try {
      for (const d of planOp(op, inputs, outputs, attrs, this.plan)) this.enqueue(d);
    } finally {
      // back to the pool at once: only later work can reuse them, and queue order runs it after
      for (const t of temps) this.free(t);
    }
  }

  /** GEMM reads A and B through their own bindings, so an operand sharing out's buffer is copied first. */
  private unaliasOperands(inputs: readonly TensorView[], out: TensorView, temps: WebGpuBuffer[]): TensorView[] {
    const outBuf = (out.buffer as WebGpuBuffer).gpu;
    const copies = new Map<GPUBuffer, WebGpuBuffer>();
    const result = inputs.map((v) => {
      const src = v.buffer as WebGpuBuffer;
      if (src.gpu !== outBuf) return v;
      let tmp = copies.get(src.gpu);
      if (!tmp) {
        tmp = this.alloc(src.byteLength) as WebGpuBuffer;
        this.copyBuffer(src, 0, tmp, 0, Math.ceil(src.byteLength / 4) * 4);
        copies.set(src.gpu, tmp);
        temps.push(tmp);
      }
      return { buffer: tmp, dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset };
    });
    return result;
  }

  private enqueue(d: Dispatch): void {
    if (d.grid.some((g) => g === 0)) return;
    const plan = planBindings(d, (k) => (d.views[k]!.buffer as WebGpuBuffer).gpu);
    plan.buffers.forEach((b, j) => {
      const bytes = plan.windows[j]?.byteLength ?? (d.views[plan.slot.indexOf(j)]!.buffer as WebGpuBuffer).byteLength;
      if (bytes > this.maxBindingBytes) {
        throw new WebGpuLimitError(
          `${d.op}: binding ${bytes} bytes of one buffer exceeds this device's maxStorageBufferBindingSize of ${this.maxBindingBytes} ` +
            'bytes (already the adapter\'s maximum); only gatherRows reads such buffers piecewise: split the tensor for other ops',
        );
      }
      void b;
    });
    const { pipeline, layout } = this.pipelines.get(d, plan);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: this.arena.place(d.params.u32) }];
    plan.buffers.forEach((b, j) => {
      const w = plan.windows[j];
      const resource = w ? { buffer: b, offset: w.byteOffset, size: w.byteLength } : { buffer: b, size: Math.min(b.size, this.maxBindingBytes) };
      entries.push({ binding: j + 1, resource });
      this.recorder.touch(b);
    });
    if (plan.faults) {
      entries.push({ binding: plan.buffers.length + 1, resource: { buffer: this.faults.buffer } });
      this.faults.arm();
    }
    const group = this.device.createBindGroup({ layout, entries });
    const pass = this.recorder.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(d.grid[0], d.grid[1], d.grid[2]);
    this.recorder.note(d.op);
    if (this.arena.full) this.flush();
  }

  // --- submission ---

  flush(): void {
    if (this.disposed) return;
    this.recorder.submit();
  }

  async sync(): Promise<void> {
    this.checkUsable('sync');
    // a pending fault record is copied out by the submission the sync makes anyway
    let stage: GPUBuffer | null = null;
    if (this.faults.pending) {
      stage = this.staging.acquire(FAULT_BYTES);
      this.faults.encodeCheck(this.recorder.copyEncoder(), stage, 0);
      this.recorder.note('fault check');
    }
    this.flush();
    const [fault] = await Promise.all([
      stage ? this.mapStaged(stage, FAULT_BYTES, 'sync', (m) => faultError(new Uint32Array(m), 'sync()')) : null,
      this.device.queue.onSubmittedWorkDone(),
    ]);
    await this.raiseErrors();
    if (fault) throw fault;
  }

  /** Throws the first error any closed scope caught (also what happened outside submissions). */
  private async raiseErrors(): Promise<void> {
    await this.scopes.raise(this.recorder.recording);
    this.checkUsable('sync');
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new WebGpuDeviceLostError(`${what}: the webgpu backend "${this.name}" was disposed`);
    if (this.lostMessage) throw new WebGpuDeviceLostError(`${what}: the WebGPU device was lost (${this.lostMessage})`);
  }

  // --- lifecycle ---

  memory(): MemoryInfo {
    return this.ledger.memory(this.pool.snapshot().pooledBytes);
  }

  /** Pool counters, including how many GPU buffers were ever created (flat across steps = reuse). */
  poolStats(): Readonly<PoolStats> {
    return this.pool.snapshot();
  }

  /** Counters for tests and benchmarks: submissions so far and compiled pipelines. */
  stats(): { submissions: number; pipelines: number } {
    return { submissions: this.recorder.submissions, pipelines: this.pipelines.size };
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  /** Destroys pooled buffers, then the device (Dawn keeps a busy thread alive until then). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.recorder.drop();
    this.pool.trim();
    this.staging.trim();
    this.device.destroy();
    this.keepAlive = undefined;
  }
}

/** Acquires a device from the injected `GPU` and wraps it in a backend. */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const { device, description, software, features } = await acquireDevice(options);
  return new WebGpuBackend(device, description, options, software, features);
}
