import { registerBackend } from '@edora/tensor';
import { WASM_PRIORITY } from './index.js';
import { createWasmBackend } from './node.js';

/** Node registration: "wasm" on every core becomes the default CPU backend. */
registerBackend('wasm', () => createWasmBackend(), { priority: WASM_PRIORITY });
