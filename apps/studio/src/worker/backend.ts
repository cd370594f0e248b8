import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
import '@edora/backend-gpujs/register';
import { webgl2Available } from '@edora/backend-gpujs';
import { setBackend, type BackendV1 } from '@edora/tensor';
import type { BackendChoice, BackendPreference } from '../protocol.js';

/** Best first: a GPU through WebGPU, then wasm SIMD on every core, then plain JavaScript. */
const ORDER = ['webgpu', 'wasm', 'cpu'] as const;

function why(backend: BackendV1, preference: BackendPreference, unavailable: string[]): string {
  if (preference !== 'auto') return `${backend.name}: chosen by you`;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  switch (backend.name) {
    case 'webgpu':
      return 'webgpu: this browser has WebGPU, the fastest backend here';
    case 'wasm':
      return `wasm: no WebGPU here (${unavailable[0] ?? 'unavailable'}); wasm SIMD ${isolated ? 'on every core through Web Workers (the page is cross-origin isolated)' : 'on one thread (the page is not cross-origin isolated, so workers cannot share memory)'}`;
    default:
      return `cpu: neither WebGPU nor wasm started here (${unavailable.join('; ')})`;
  }
}

/**
 * Starts the backend the preference asks for: 'auto' takes the first of webgpu, wasm, cpu that
 * starts and says why; a named one must start (its error is the reply's).
 */
export async function chooseBackend(preference: BackendPreference): Promise<BackendChoice> {
  const unavailable: string[] = [];
  const candidates = preference === 'auto' ? ORDER : [preference];
  for (const name of candidates) {
    try {
      if (name === 'webgpu' && !('gpu' in navigator)) throw new Error('navigator.gpu is undefined');
      if (name === 'gpujs' && !webgl2Available()) throw new Error('this browser gives workers no WebGL2 context (OffscreenCanvas)');
      const backend = await setBackend(name);
      return { name: backend.name, device: backend.capabilities.device, reason: why(backend, preference, unavailable), unavailable };
    } catch (err) {
      if (preference !== 'auto') throw err;
      unavailable.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no backend started: ${unavailable.join('; ')}`);
}
