import type { BackendV1, OpAttrs, OpName } from '../backend/contract.js';
import { getBackend } from '../backend/registry.js';
import type { DType } from '../dtype.js';
import { BackendError, DTypeError } from '../errors.js';
import { allocTensor, type Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';

/** The backend shared by all operands; mixing backends is an error that names them. */
export function backendOf(op: string, tensors: readonly Tensor[]): BackendV1 {
  if (tensors.length === 0) return getBackend();
  const b = tensors[0]!.backend;
  for (const t of tensors) {
    t.assertAlive(op);
    if (t.backend !== b) {
      throw new BackendError(
        `${op}: operands live on different backends ("${b.name}" and "${t.backend.name}"); move one with await t.to(...)`,
      );
    }
  }
  return b;
}

/** Allocates outputs and runs a backend op on them. */
export function runOp<O extends OpName>(
  op: O,
  inputs: readonly Tensor[],
  outSpecs: readonly { shape: readonly number[]; dtype: DType }[],
  attrs: OpAttrs[O],
  backend = backendOf(op, inputs),
): Tensor[] {
  if (!backend.supportsOp(op, inputs.map((t) => t.dtype))) {
    throw new DTypeError(
      `${op}: backend "${backend.name}" does not support dtypes (${inputs.map((t) => t.dtype).join(', ')}) ` +
        `for inputs ${inputs.map((t) => shapeStr(t.shape)).join(', ')}`,
    );
  }
  const outs = outSpecs.map((s) => allocTensor(backend, s.dtype, s.shape));
  try {
    backend.run(op, inputs, outs, attrs);
  } catch (err) {
    for (const o of outs) o.dispose();
    throw err;
  }
  return outs;
}

/** Runs a tier-1 fused op when the backend has it, else the composite fallback. */
export function fusedOr<O extends OpName>(
  op: O,
  inputs: readonly Tensor[],
  outSpecs: readonly { shape: readonly number[]; dtype: DType }[],
  attrs: OpAttrs[O],
  fallback: () => Tensor[],
): Tensor[] {
  const backend = backendOf(op, inputs);
  if (fusedDisabled.has(backend) || !backend.supportsOp(op, inputs.map((t) => t.dtype))) return fallback();
  return runOp(op, inputs, outSpecs, attrs, backend);
}

const fusedDisabled = new WeakSet<BackendV1>();

/** Whether the core will route `op` to the backend's fused kernel. */
export function fusedEnabled(backend: BackendV1, op: OpName, dtypes: readonly DType[]): boolean {
  return !fusedDisabled.has(backend) && backend.supportsOp(op, dtypes);
}

/**
 * Makes the core ignore a backend's fused ops (conformance compares fused against composite;
 * also a debugging switch). Returns a function that restores them.
 */
export function disableFusedOps(backend: BackendV1): () => void {
  fusedDisabled.add(backend);
  return () => fusedDisabled.delete(backend);
}
