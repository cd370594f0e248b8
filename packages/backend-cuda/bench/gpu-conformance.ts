/**
 * The conformance suite on a real GPU (bench/gpu-run.sh runs the bundle of this file): the cuda
 * backend with cuBLAS, with the own SGEMM kernel, and with TF32 off by default checked explicitly,
 * then the kernel-fault check on a fresh backend last (it leaves the context unusable).
 * Bundled by bench/gpu-prepare.sh with `vitest` aliased to bench/mini-vitest.ts.
 */
import { describe, expect, it } from 'vitest';
import { run } from './mini-vitest.js';
import { runConformance } from '@edora/tensor/conformance';
import { tensor, zeros } from '@edora/tensor';
import { CudaIndexError, CudaKernelFaultError, createCudaBackend } from '../src/index.js';

describe('cuda on the GPU, cuBLAS', () => {
  runConformance({
    name: 'cuda (GPU, cuBLAS)',
    create: async () => {
      const b = await createCudaBackend();
      console.log(`device: ${b.capabilities.device}; gemm: ${JSON.stringify(b.gemm)}`);
      if (b.gemm.library !== 'cublas') throw new Error(`cuBLAS was not found: ${b.gemm.reason}`);
      return b;
    },
  });
});

// the own SGEMM, with the kernels JIT-compiled from the compute_75 PTX (on a Hopper the first
// suite ran the sm_90 cubin), so both images are checked on the GPU
describe('cuda on the GPU, own SGEMM, PTX JIT', () => {
  runConformance({ name: 'cuda (GPU, own SGEMM, PTX)', create: () => createCudaBackend({ cublasPath: false, kernelImage: 'ptx' }) });
});

describe('cuda on the GPU, device facts', () => {
  it('an sm_90 device loads the cubin; others JIT the PTX', async () => {
    const b = await createCudaBackend();
    expect(b.device.image).toBe(b.device.computeCapability === 90 ? 'sm_90 cubin' : 'compute_75 PTX');
    b.dispose();
  });
  it('a row id out of range is a CudaIndexError at the next read (the kernel records it with atomicCAS), then work goes on', async () => {
    const b = await createCudaBackend({ cublasPath: false });
    const table = tensor(Float32Array.from([1, 2, 3, 4]), [2, 2], { backend: b });
    const out = zeros([2, 2], { backend: b });
    b.run('gatherRows', [table, tensor(Int32Array.from([1, 7]), [2], { backend: b })], [out], {});
    await expect(out.data()).rejects.toThrow(CudaIndexError);
    b.run('gatherRows', [table, tensor(Int32Array.from([1, 0]), [2], { backend: b })], [out], {});
    expect(Array.from(await out.data())).toEqual([3, 4, 1, 2]);
    b.dispose();
  });
  it('a trapping kernel is a CudaKernelFaultError at sync (last: it breaks the context)', async () => {
    const b = await createCudaBackend({ cublasPath: false });
    b.launchTrapForTest();
    await expect(b.sync()).rejects.toThrow(CudaKernelFaultError);
  });
});

process.exitCode = await run();
