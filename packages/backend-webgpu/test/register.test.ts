import { describe, expect, it } from 'vitest';
import { disposeBackend, registeredBackends, setBackend, tensor } from '@edora/tensor';
import { noGpuReason } from './gpu.js';

describe.skipIf(noGpuReason !== null)(`@edora/backend-webgpu/register${noGpuReason ? ` (skipped: ${noGpuReason})` : ''}`, () => {
  it('registers "webgpu" above wasm and cpu; setBackend creates it over Dawn and disposeBackend releases it', async () => {
    await import('../src/node-register.js');
    const entry = registeredBackends().find((e) => e.name === 'webgpu');
    expect(entry?.priority).toBe(20);
    const b = await setBackend('webgpu');
    expect(b.name).toBe('webgpu');
    expect(b.capabilities.async).toBe(true);
    const x = tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    expect(x.backend).toBe(b);
    expect(Array.from(await x.matmul(x).data())).toEqual([7, 10, 15, 22]);
    x.dispose();
    await setBackend('cpu');
    await disposeBackend('webgpu');
    expect(registeredBackends().find((e) => e.name === 'webgpu')?.initialized).toBe(false);
  });
});
