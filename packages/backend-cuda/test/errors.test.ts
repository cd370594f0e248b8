import { tensor, zeros } from '@edora/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CudaIndexError, CudaNoDeviceError, CudaOutOfMemoryError, CudaUnavailableError, CudaUnsupportedGpuError, createCudaBackend,
  type CudaBackend,
} from '../src/index.js';
import { noStandinReason, standinBackend } from './standin.js';

describe('errors without a usable GPU', () => {
  it('no driver: CudaUnavailableError names what was tried', async () => {
    const err = await createCudaBackend({ driverPath: '/nonexistent/libcuda.so.1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaUnavailableError);
    expect((err as Error).message).toMatch(/no NVIDIA driver found: could not load \/nonexistent\/libcuda\.so\.1/);
    expect((err as CudaUnavailableError).code).toBe('E_CUDA_UNAVAILABLE');
  });
});

describe.skipIf(noStandinReason !== null)(`errors on the stand-in driver${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  const made: CudaBackend[] = [];
  afterAll(() => {
    for (const b of made) b.dispose();
  });

  it('no device: CudaNoDeviceError', async () => {
    const err = await standinBackend({}, { EDORA_STANDIN_DEVICES: '0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaNoDeviceError);
    expect((err as Error).message).toMatch(/reports no CUDA-capable device \(cuInit: CUDA_ERROR_NO_DEVICE\)/);
  });

  it('a device ordinal beyond the count: CudaNoDeviceError with the valid range', async () => {
    const err = await standinBackend({ device: 3 }, { EDORA_STANDIN_DEVICES: '2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaNoDeviceError);
    expect((err as Error).message).toMatch(/device 3 asked for, the driver reports 2 device\(s\): 0 to 1/);
  });

  it('a GPU older than compute capability 7.5: CudaUnsupportedGpuError', async () => {
    const err = await standinBackend({}, { EDORA_STANDIN_CC: '61' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaUnsupportedGpuError);
    expect((err as Error).message).toMatch(/compute capability 6\.1; the backend's kernels need 7\.5 or newer/);
  });

  it('on compute capability 9.0 the sm_90 cubin is loaded; elsewhere the compute_75 PTX', async () => {
    const hopper = await standinBackend({}, { EDORA_STANDIN_CC: '90' });
    made.push(hopper);
    expect(hopper.device.image).toBe('sm_90 cubin');
    const x = tensor(Float32Array.from([1, -2, 3]), [3], { backend: hopper });
    const o = zeros([3], { backend: hopper });
    hopper.run('unary', [x], [o], { fn: 'abs' });
    expect(Array.from(await o.data())).toEqual([1, 2, 3]);
    const jit = await standinBackend({ kernelImage: 'ptx' }, { EDORA_STANDIN_CC: '90' });
    made.push(jit);
    expect(jit.device.image).toBe('compute_75 PTX');
    const ampere = await standinBackend({}, { EDORA_STANDIN_CC: '86' });
    made.push(ampere);
    expect(ampere.device.image).toBe('compute_75 PTX');
  });

  it('out of device memory: CudaOutOfMemoryError with the sizes', async () => {
    const b = await standinBackend({}, { EDORA_STANDIN_MEMORY: String(1 << 20) });
    made.push(b);
    const keep = b.alloc(1 << 19);
    expect(() => b.alloc(1 << 20)).toThrow(CudaOutOfMemoryError);
    expect(() => b.alloc(1 << 20)).toThrow(/alloc of 1048576 bytes: cuMemAllocAsync failed with CUDA_ERROR_OUT_OF_MEMORY.*holds 524288 bytes in 1 buffers/);
    b.free(keep);
    expect(b.memory().bytes).toBe(0);
  });

  it('a row id out of range: CudaIndexError at the next read, with the cpu message, and the backend stays usable', async () => {
    const b = await standinBackend();
    made.push(b);
    const table = tensor(Float32Array.from([1, 2, 3, 4]), [2, 2], { backend: b });
    const idx = tensor(Int32Array.from([1, 7]), [2], { backend: b });
    const out = zeros([2, 2], { backend: b });
    b.run('gatherRows', [table, idx], [out], {});
    await expect(out.data()).rejects.toThrow(CudaIndexError);
    const good = tensor(Int32Array.from([1, 0]), [2], { backend: b });
    b.run('gatherRows', [table, good], [out], {});
    expect(Array.from(await out.data())).toEqual([3, 4, 1, 2]);
    const acc = zeros([2, 2], { backend: b });
    b.run('fill', [], [acc], { value: 0 });
    b.run('scatterAddRows', [table, tensor(Int32Array.from([-1, 0]), [2], { backend: b })], [acc], {});
    await expect(b.sync()).rejects.toThrow(/scatterAddRows: index -1 is out of range for a table of 2 rows/);
  });

  it('float64 views are refused with the shape', async () => {
    const b = await standinBackend();
    made.push(b);
    expect(b.supportsOp('binary', ['float64', 'float64'])).toBe(false);
    const v = { buffer: b.alloc(16), dtype: 'float64' as const, shape: [2], strides: [1], offset: 0 };
    expect(() => b.run('unary', [v], [v], { fn: 'neg' })).toThrow(/holds float32 and int32 only; found a float64 view of shape \[2\]/);
  });
});
