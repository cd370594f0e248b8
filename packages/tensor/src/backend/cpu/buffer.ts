import type { BackendBuffer, TensorView } from '../contract.js';
import type { AnyTypedArray } from '../../dtype.js';
import { viewAs } from '../../dtype.js';

/**
 * A cpu-side allocation: a byte view that may sit inside a larger ArrayBuffer or
 * SharedArrayBuffer (the wasm backend places its buffers in WebAssembly memory and reuses these
 * kernels on them). Offsets are kept 8-byte aligned so float64 views are always legal.
 */
export interface CpuBuffer extends BackendBuffer {
  readonly bytes: Uint8Array;
}

const cache = new WeakMap<Uint8Array, Partial<Record<string, AnyTypedArray>>>();

/** The whole buffer as a typed array of the view's dtype; `view.offset` indexes into it. */
export function arrayOf(view: TensorView): AnyTypedArray {
  const bytes = (view.buffer as CpuBuffer).bytes;
  let entry = cache.get(bytes);
  if (!entry) {
    entry = {};
    cache.set(bytes, entry);
  }
  let arr = entry[view.dtype];
  // a grown shared memory changes .buffer identity; re-derive when it does
  if (!arr || arr.buffer !== bytes.buffer) {
    const bpe = view.dtype === 'float64' ? 8 : 4;
    arr = viewAs(view.dtype, bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / bpe));
    entry[view.dtype] = arr;
  }
  return arr;
}
