import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
import '@edora/backend-gpujs/register';
import { webgl2Available } from '@edora/backend-gpujs';
import { setBackend, type BackendV1 } from '@edora/tensor';
import { StudioError } from '../engine/errors.js';
import type { BackendChoice, BackendPreference } from '../protocol.js';

/** Best first: a GPU through WebGPU, then wasm SIMD on every core, then plain JavaScript. */
const ORDER = ['webgpu', 'wasm', 'cpu'] as const;

/**
 * Why WebGPU should not be picked automatically: no adapter, or only a software one (SwiftShader,
 * lavapipe, llvmpipe — what a machine without a GPU offers), which trains the demo ~75× slower than
 * wasm (docs/benchmarks.md). Null when a hardware adapter is there.
 */
async function webGpuShortfall(): Promise<string | null> {
  if (!('gpu' in navigator)) return 'navigator.gpu is undefined';
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return 'navigator.gpu.requestAdapter() returned null';
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  if (info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(text)) {
    return `only a software adapter (${text || 'fallback'}), far slower than wasm here; choose WebGPU above to use it anyway`;
  }
  return null;
}

function why(backend: BackendV1, preference: BackendPreference, unavailable: string[]): string {
  if (preference !== 'auto') return `${backend.name}: chosen by you`;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  switch (backend.name) {
    case 'webgpu':
      return 'webgpu: this browser has WebGPU on a hardware adapter, the fastest backend here';
    case 'wasm':
      return `wasm: no hardware WebGPU (${unavailable[0] ?? 'unavailable'}); wasm SIMD ${isolated ? 'on every core through Web Workers (the page is cross-origin isolated)' : 'on one thread (the page is not cross-origin isolated, so workers cannot share memory)'}`;
    default:
      return `cpu: neither WebGPU nor wasm started here (${unavailable.join('; ')})`;
  }
}

/**
 * Starts the backend the preference asks for: 'auto' takes the first of webgpu (with a hardware
 * adapter), wasm, cpu that starts and says why; a named one must start (its error is the reply's).
 */
export async function chooseBackend(preference: BackendPreference): Promise<BackendChoice> {
  const unavailable: string[] = [];
  const candidates = preference === 'auto' ? ORDER : [preference];
  for (const name of candidates) {
    try {
      if (name === 'webgpu') {
        const shortfall = preference === 'auto' ? await webGpuShortfall() : 'gpu' in navigator ? null : 'navigator.gpu is undefined';
        if (shortfall) throw new StudioError(`webgpu: expected a WebGPU adapter; found ${shortfall}`);
      }
      if (name === 'gpujs' && !webgl2Available()) throw new StudioError('gpujs: expected a WebGL2 context in the worker (OffscreenCanvas); found none in this browser');
      const backend = await setBackend(name);
      return { name: backend.name, device: backend.capabilities.device, reason: why(backend, preference, unavailable), unavailable };
    } catch (err) {
      if (preference !== 'auto') throw err;
      unavailable.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new StudioError(`backend: expected one of webgpu, wasm, cpu to start; none did (${unavailable.join('; ')})`);
}
