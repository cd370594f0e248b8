import { describe, expect, it } from 'vitest';
import { CudaKernelFaultError } from '../src/index.js';
import { noStandinReason, standinBackend } from './standin.js';

// Its own file (and so its own process): a trapped kernel leaves the CUDA context unusable, on a
// GPU and on the stand-in alike.
describe.skipIf(noStandinReason !== null)(`kernel faults${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  it('a trapping kernel surfaces as CudaKernelFaultError at sync, and the backend refuses work after it', async () => {
    const b = await standinBackend();
    b.launchTrapForTest();
    const err = await b.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaKernelFaultError);
    expect((err as Error).message).toMatch(/cuStreamSynchronize reported CUDA_ERROR_LAUNCH_FAILED \(unspecified launch failure\), a kernel fault/);
    expect(() => b.alloc(16)).toThrow(CudaKernelFaultError);
    await expect(b.sync()).rejects.toThrow(CudaKernelFaultError);
    b.dispose();
  });
});
