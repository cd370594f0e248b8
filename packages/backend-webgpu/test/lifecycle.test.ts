import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdoraError, tensor } from '@edora/tensor';
import {
  acquireDevice, bucketBytes, WebGpuDeviceLostError, WebGpuLimitError, WebGpuOpError, WebGpuUnavailableError,
  WebGpuValidationError, type WebGpuBackend,
} from '../src/index.js';
import { createTestBackend, noGpuReason } from './gpu.js';

describe('device acquisition without WebGPU', () => {
  it('no GPU object: says what to install', async () => {
    const err = await acquireDevice({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuUnavailableError);
    expect(err).toBeInstanceOf(EdoraError);
    expect((err as WebGpuUnavailableError).code).toBe('E_WEBGPU_UNAVAILABLE');
    expect((err as Error).message).toMatch(/npm i webgpu/);
    expect((err as Error).message).toMatch(/mesa-vulkan-drivers/);
  });

  it('a GPU without adapters: typed error naming the cause', async () => {
    const gpu = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU;
    await expect(acquireDevice({ gpu })).rejects.toThrow(/no adapter/);
    await expect(acquireDevice({ gpu })).rejects.toBeInstanceOf(WebGpuUnavailableError);
  });
});

describe('buffer pool buckets', () => {
  it('powers of two to 1 MiB, then sixteenths of the enclosing power of two', () => {
    expect(bucketBytes(0)).toBe(256);
    expect(bucketBytes(257)).toBe(512);
    expect(bucketBytes(1 << 20)).toBe(1 << 20);
    expect(bucketBytes((1 << 20) + 1)).toBe((1 << 20) + (1 << 17));
    const big = 154_414_080; // RoBERTa-base's word embeddings, 50265 × 768 float32
    expect(bucketBytes(big)).toBeGreaterThanOrEqual(big);
    expect(bucketBytes(big) / big).toBeLessThanOrEqual(1.125);
  });
});

describe.skipIf(noGpuReason !== null)(`webgpu backend lifecycle and errors${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  let b: WebGpuBackend;
  beforeAll(async () => {
    b = await createTestBackend();
  });
  afterAll(() => b?.dispose());

  it('an adapter too small for the requested binding size is a limit error with both numbers', async () => {
    const { nodeGpu } = await import('../src/node.js');
    const gpu = await nodeGpu();
    const err = await acquireDevice({ gpu, requiredStorageBindingBytes: 2 ** 52 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuLimitError);
    expect((err as Error).message).toMatch(/maxStorageBufferBindingSize is \d+ bytes; expected at least 4503599627370496/);
  });

  it('a validation error inside a submission surfaces at sync() as a typed error', async () => {
    // MAP_READ may only be combined with COPY_DST: Dawn reports a validation error into our scope
    b.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    const err = await b.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuValidationError);
    expect((err as WebGpuValidationError).code).toBe('E_WEBGPU_VALIDATION');
    // the error was consumed: the backend keeps working
    const x = tensor(Float32Array.from([1, 2]), [2], { backend: b });
    expect(Array.from(await x.add(1).data())).toEqual([2, 3]);
    x.dispose();
  });

  it('ops beyond 6 non-mergeable dims and float64 views are refused with the shapes', () => {
    const shape = [2, 2, 2, 2, 2, 2, 2];
    const buf = b.alloc(4 * 2 ** 7 * 2);
    // strides under which no two adjacent dims merge (stride[d−1] ≠ 2·stride[d] everywhere)
    const x = { buffer: buf, dtype: 'float32' as const, shape, strides: [128, 32, 8, 2, 256, 1, 0], offset: 0 };
    const out = { buffer: b.alloc(4 * 2 ** 7), dtype: 'float32' as const, shape, strides: [64, 32, 16, 8, 4, 2, 1], offset: 0 };
    expect(() => b.run('unary', [x], [out], { fn: 'neg' })).toThrow(WebGpuOpError);
    expect(() => b.run('unary', [x], [out], { fn: 'neg' })).toThrow(/up to 6 non-mergeable dims/);
    const f64 = { ...out, dtype: 'float64' as const };
    expect(() => b.run('copy', [f64], [out], {})).toThrow(/float32 and int32 only/);
    expect(b.supportsOp('matmul', ['float64'])).toBe(false);
    b.free(buf);
    b.free(out.buffer);
  });

  it('a training step records many dispatches into one submission and reuses pooled buffers', async () => {
    const x = tensor(Float32Array.from({ length: 64 }, (_, i) => i), [8, 8], { backend: b });
    await b.sync();
    const before = b.stats().submissions;
    let y = x;
    for (let i = 0; i < 50; i++) {
      const next = y.mul(0.5).add(1);
      if (y !== x) y.dispose();
      y = next;
    }
    expect(b.stats().submissions).toBe(before);
    const created = b.poolStats().created;
    const out = await y.data();
    expect(b.stats().submissions).toBe(before + 1);
    // y = 0.5ⁿ·x + 2(1 − 0.5ⁿ) after n = 50 halvings: 2 to float32 precision
    expect(Math.abs(out[63]! - 2)).toBeLessThan(1e-6);
    y.dispose();
    const again = x.mul(3);
    expect(b.poolStats().created).toBe(created);
    again.dispose();
    x.dispose();
  });

  it('dispose() destroys the device; later use is a typed device-lost error', async () => {
    const own = await createTestBackend();
    const buf = own.alloc(16);
    own.dispose();
    own.dispose(); // idempotent
    expect(() => own.alloc(16)).toThrow(WebGpuDeviceLostError);
    await expect(own.read(buf, 0, 16)).rejects.toBeInstanceOf(WebGpuDeviceLostError);
  });
});

describe.skipIf(noGpuReason !== null)(`webgpu edge shapes${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  it('rowNorm of zero-length rows writes zeros over whatever the output held', async () => {
    const b = await createTestBackend();
    const w = tensor(new Float32Array(0), [3, 0], { backend: b });
    const out = tensor(Float32Array.from([9, 9, 9]), [3], { backend: b });
    b.run('rowNorm', [w], [out], {});
    expect(Array.from(await out.data())).toEqual([0, 0, 0]);
    w.dispose();
    out.dispose();
    b.dispose();
  });
});
