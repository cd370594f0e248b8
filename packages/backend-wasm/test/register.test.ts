import { afterAll, describe, expect, it } from 'vitest';
import { disposeBackend, getBackend, registeredBackends } from '@edora/tensor';
import { WASM_PRIORITY } from '../src/index.js';
import '../src/node-register.js';

describe('@edora/backend-wasm/register', () => {
  afterAll(() => disposeBackend('wasm'));

  it('registers "wasm" above "cpu", so it becomes the default backend', () => {
    const wasm = registeredBackends().find((b) => b.name === 'wasm');
    const cpu = registeredBackends().find((b) => b.name === 'cpu');
    expect(wasm?.priority).toBe(WASM_PRIORITY);
    expect(WASM_PRIORITY).toBeGreaterThan(cpu!.priority);
    const b = getBackend();
    expect(b.name).toBe('wasm');
    expect(b.capabilities.device).toMatch(/WebAssembly SIMD128, \d+ threads?/);
  });
});
