import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCudaBackend, type CudaBackend, type CudaBackendOptions } from '../src/index.js';

/** The stand-in libcuda.so.1 built by scripts/build-standin.sh (test/global-setup.ts runs it). */
export const standinDriver = fileURLToPath(new URL('../.standin/libcuda.so.1', import.meta.url));
/** The stand-in cuBLAS built beside it. */
export const standinCublas = fileURLToPath(new URL('../.standin/libcublas.so.13', import.meta.url));

/** Why the stand-in tests cannot run here, or null. */
export const noStandinReason: string | null = existsSync(standinDriver)
  ? null
  : 'the stand-in driver is not built (needs g++: apt-get install g++; test/global-setup.ts builds it)';

/** A backend on the stand-in driver, with the environment settings it reads at cuInit. */
export async function standinBackend(options: CudaBackendOptions = {}, env: Record<string, string> = {}): Promise<CudaBackend> {
  const keys = ['EDORA_STANDIN_DEVICES', 'EDORA_STANDIN_CC', 'EDORA_STANDIN_MEMORY'];
  const saved = keys.map((k) => process.env[k]);
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await createCudaBackend({ driverPath: standinDriver, cublasPath: false, ...options });
  } finally {
    keys.forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
  }
}
