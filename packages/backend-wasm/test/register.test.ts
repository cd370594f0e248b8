import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeBackend, getBackend, registeredBackends } from '@edora/tensor';
import { WASM_PRIORITY } from '../src/index.js';
// through the package's own exports map, as users import it (resolves to the Node entry here)
import '@edora/backend-wasm/register';

describe('@edora/backend-wasm/register', () => {
  afterAll(() => disposeBackend('wasm'));

  it('registers "wasm" above "cpu", so it becomes the default backend', () => {
    const wasm = registeredBackends().find((b) => b.name === 'wasm');
    const cpu = registeredBackends().find((b) => b.name === 'cpu');
    expect(wasm?.priority).toBe(WASM_PRIORITY);
    expect(WASM_PRIORITY).toBeGreaterThan(cpu!.priority);
    const b = getBackend();
    expect(b.name).toBe('wasm');
    // the Node entry: every core
    expect(b.capabilities.device).toContain(`WebAssembly SIMD128, ${availableParallelism()} thread`);
  });
});
