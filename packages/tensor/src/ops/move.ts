import type { BackendV1 } from '../backend/contract.js';
import { findBackend } from '../backend/registry.js';
import { BackendError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { fromHost } from './creation.js';

/** Copies `t` to another backend through host memory; the result is a leaf on the target. */
export async function moveTo(t: Tensor, target: BackendV1 | string): Promise<Tensor> {
  const backend = typeof target === 'string' ? findBackend(target) : target;
  if (t.dtype === 'float64' && !backend.capabilities.float64) {
    throw new BackendError(`to: backend "${backend.name}" cannot hold float64; cast to float32 first`);
  }
  const data = await t.data();
  return fromHost(data, t.shape, backend);
}
