import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo, type OpAttrs,
  type OpName, type TensorView,
} from '@edora/tensor';
import { acquireDevice, type DeviceFeatures, type DeviceOptions } from './device.js';
import {
  WebGpuDeviceLostError, WebGpuLimitError, WebGpuOpError, WebGpuOutOfMemoryError, WebGpuValidationError, type WebGpuError,
} from './errors.js';
import {
  BUFFER_COPY_DST, BUFFER_COPY_SRC, BUFFER_MAP_READ, BUFFER_STORAGE, BUFFER_UNIFORM, MAP_MODE_READ,
} from './flags.js';
import { FAULT_BYTES, FaultBuffer, faultError } from './fault.js';
import { planOp, planners } from './kernels/index.js';
import { PARAM_BYTES, PARAM_WORDS, type Dispatch, type PlanContext } from './kernels/program.js';
import { PipelineCache, planBindings } from './pipelines.js';
import { BufferPool, type PoolStats } from './pool.js';

/** A backend allocation: a pooled GPU buffer (its size is the bucket, ≥ byteLength). */
export interface WebGpuBuffer extends BackendBuffer {
  readonly gpu: GPUBuffer;
  freed: boolean;
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

interface PendingScope {
  ops: string[];
  errors: Promise<(GPUError | null)[]>;
}

/**
 * The WebGPU backend. `run` records compute dispatches into one command encoder (one compute
 * pass between copies) and submits when a read needs results, a host write would race recorded
 * work, `flush()`/`sync()` is called, or `maxDispatchesPerSubmit` is reached: a training step is
 * a few submissions and one wait, for the loss. Every op's small parameter block goes into one
 * uniform arena per submission (one `writeBuffer`), bound at a 256-byte slot per dispatch.
 *
 * Errors: validation and out-of-memory error scopes stay open around everything the backend
 * does; each submission closes them and opens new ones, and the next `sync()` or `read()` raises
 * what they caught as a typed error naming that submission's ops. Out-of-range row ids are
 * recorded by the kernels in a fault buffer that the same read or sync copies out (fault.ts).
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
  private readonly arena: GPUBuffer;
  private readonly arenaHost: Uint32Array;
  private readonly faults: FaultBuffer;
  private readonly maxDispatches: number;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchOps: string[] = [];
  private batchDispatches = 0;
  private touched = new Set<GPUBuffer>();
  private pending: PendingScope[] = [];
  private peak = 0;
  private lostMessage: string | null = null;
  private disposed = false;
  private keepAlive: unknown;
  private submissions = 0;

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
    this.maxDispatches = options.maxDispatchesPerSubmit ?? 256;
    this.pool = new BufferPool(
      (size) => device.createBuffer({ size, usage: BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST }),
      options.maxPooledBytes ?? 2 ** 30,
    );
    this.staging = new BufferPool((size) => device.createBuffer({ size, usage: BUFFER_MAP_READ | BUFFER_COPY_DST }), 2 ** 28);
    this.pipelines = new PipelineCache(device);
    this.arena = device.createBuffer({ size: this.maxDispatches * PARAM_BYTES, usage: BUFFER_UNIFORM | BUFFER_COPY_DST });
    this.arenaHost = new Uint32Array(this.maxDispatches * PARAM_WORDS);
    this.faults = new FaultBuffer(device);
    void device.lost.then((info) => {
      if (!this.disposed) this.lostMessage = `${info.reason}: ${info.message}`;
    });
    this.openScopes();
  }

  // --- memory ---

  alloc(byteLength: number): BackendBuffer {
    this.checkUsable('alloc');
    if (!(byteLength >= 0) || byteLength > this.capabilities.maxBufferBytes) {
      throw new WebGpuLimitError(`alloc: cannot allocate ${byteLength} bytes; the device's maxBufferSize is ${this.capabilities.maxBufferBytes}`);
    }
    const buf: WebGpuBuffer = { byteLength, gpu: this.pool.acquire(byteLength), freed: false };
    const live = this.pool.snapshot().liveBytes;
    if (live > this.peak) this.peak = live;
    return buf;
  }

  free(buffer: BackendBuffer): void {
    const b = buffer as WebGpuBuffer;
    if (b.freed || this.disposed) return;
    b.freed = true;
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
    if (this.touched.has(b.gpu)) this.flush();
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
    this.endPass();
    const encoder = this.encoderOrNew();
    encoder.copyBufferToBuffer(b.gpu, start, stage, 0, size);
    if (checkFaults) this.faults.encodeCheck(encoder, stage, size);
    this.batchOps.push('read');
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
    this.endPass();
    this.encoderOrNew().copyBufferToBuffer(s, srcByteOffset, d, dstByteOffset, byteLength);
    this.touched.add(s).add(d);
    this.batchOps.push('copyBuffer');
  }

  // --- ops ---

  supportsOp(op: OpName, dtypes: readonly DType[]): boolean {
    if (!(op in planners)) return false;
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
    const slot = this.batchDispatches++;
    this.arenaHost.set(d.params.u32, slot * PARAM_WORDS);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena, offset: slot * PARAM_BYTES, size: PARAM_BYTES } }];
    plan.buffers.forEach((b, j) => {
      const w = plan.windows[j];
      const resource = w ? { buffer: b, offset: w.byteOffset, size: w.byteLength } : { buffer: b, size: Math.min(b.size, this.maxBindingBytes) };
      entries.push({ binding: j + 1, resource });
      this.touched.add(b);
    });
    if (plan.faults) {
      entries.push({ binding: plan.buffers.length + 1, resource: { buffer: this.faults.buffer } });
      this.faults.arm();
    }
    const group = this.device.createBindGroup({ layout, entries });
    if (!this.pass) this.pass = this.encoderOrNew().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(d.grid[0], d.grid[1], d.grid[2]);
    this.batchOps.push(d.op);
    if (this.batchDispatches >= this.maxDispatches) this.flush();
  }

  // --- submission ---

  private encoderOrNew(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  flush(): void {
    if (!this.encoder || this.disposed) return;
    this.endPass();
    const cmd = this.encoder.finish();
    if (this.batchDispatches > 0) {
      this.device.queue.writeBuffer(this.arena, 0, this.arenaHost.buffer, 0, this.batchDispatches * PARAM_BYTES);
    }
    this.device.queue.submit([cmd]);
    this.submissions++;
    this.encoder = null;
    this.batchDispatches = 0;
    this.touched.clear();
    this.closeScopes(this.batchOps);
    this.batchOps = [];
    this.openScopes();
  }

  async sync(): Promise<void> {
    this.checkUsable('sync');
    // a pending fault record is copied out by the submission the sync makes anyway
    let stage: GPUBuffer | null = null;
    if (this.faults.pending) {
      stage = this.staging.acquire(FAULT_BYTES);
      this.endPass();
      this.faults.encodeCheck(this.encoderOrNew(), stage, 0);
      this.batchOps.push('fault check');
    }
    this.flush();
    const [fault] = await Promise.all([
      stage ? this.mapStaged(stage, FAULT_BYTES, 'sync', (m) => faultError(new Uint32Array(m), 'sync()')) : null,
      this.device.queue.onSubmittedWorkDone(),
    ]);
    await this.raiseErrors();
    if (fault) throw fault;
  }

  private openScopes(): void {
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
  }

  private closeScopes(ops: string[]): void {
    const oom = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.pending.push({ ops, errors: Promise.all([oom, validation]) });
  }

  /** Throws the first error any closed scope caught (also what happened outside submissions). */
  private async raiseErrors(): Promise<void> {
    if (!this.encoder) {
      // errors raised by calls since the last submission (an allocation) are caught too
      this.closeScopes(['alloc/write']);
      this.openScopes();
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
    this.checkUsable('sync');
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new WebGpuDeviceLostError(`${what}: the webgpu backend "${this.name}" was disposed`);
    if (this.lostMessage) throw new WebGpuDeviceLostError(`${what}: the WebGPU device was lost (${this.lostMessage})`);
  }

  // --- lifecycle ---

  memory(): MemoryInfo {
    const s = this.pool.snapshot();
    return { buffers: s.live, bytes: s.liveBytes, peakBytes: this.peak, pooledBytes: s.pooledBytes };
  }

  /** Pool counters, including how many GPU buffers were ever created (flat across steps = reuse). */
  poolStats(): Readonly<PoolStats> {
    return this.pool.snapshot();
  }

  /** Counters for tests and benchmarks: submissions so far and compiled pipelines. */
  stats(): { submissions: number; pipelines: number } {
    return { submissions: this.submissions, pipelines: this.pipelines.size };
  }

  resetPeak(): void {
    this.peak = this.pool.snapshot().liveBytes;
  }

  /** Destroys pooled buffers, then the device (Dawn keeps a busy thread alive until then). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pass = null;
    this.encoder = null;
    this.pool.trim();
    this.staging.trim();
    this.device.destroy();
    this.keepAlive = undefined;
  }
}

function summarize(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => (n > 1 ? `${o} ×${n}` : o)).join(', ');
}

/** Acquires a device from the injected `GPU` and wraps it in a backend. */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const { device, description, software, features } = await acquireDevice(options);
  return new WebGpuBackend(device, description, options, software, features);
}
