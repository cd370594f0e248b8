import type { BackendV1, OpAttrs, OpName } from '../backend/contract.js';
import { runDense } from '../backend/kit/dense.js';
import { countFallback } from '../backend/kit/fallback-stats.js';
import { runOnHost } from '../backend/kit/host-fallback.js';
import { getBackend } from '../backend/registry.js';
import type { DType } from '../dtype.js';
import { BackendError } from '../errors.js';
import { tidy } from '../scope.js';
import { allocTensor, type Tensor } from '../tensor.js';

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

/**
 * The one way the core runs a backend op: an op the backend rejects in `supportsOp` runs on the
 * host fallback (the cpu kernels through the backend's read and write, counted); a dense-only
 * backend gets dense stand-ins for strided operands; everything else goes to `backend.run`.
 */
function dispatch<O extends OpName>(backend: BackendV1, op: O, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: OpAttrs[O]): void {
  if (!backend.supportsOp(op, inputs.map((t) => t.dtype))) {
    runOnHost(backend, op, inputs, outputs, attrs);
    return;
  }
  if (backend.capabilities.denseOnly) runDense(backend, op, inputs, outputs, (i, o) => backend.run(op, i, o, attrs));
  else backend.run(op, inputs, outputs, attrs);
}

/** Allocates outputs and runs a backend op on them. */
export function runOp<O extends OpName>(
  op: O,
  inputs: readonly Tensor[],
  outSpecs: readonly { shape: readonly number[]; dtype: DType }[],
  attrs: OpAttrs[O],
  backend = backendOf(op, inputs),
): Tensor[] {
  const outs = outSpecs.map((s) => allocTensor(backend, s.dtype, s.shape));
  try {
    dispatch(backend, op, inputs, outs, attrs);
  } catch (err) {
    for (const o of outs) o.dispose();
    throw err;
  }
  return outs;
}

/**
 * Runs a backend op into existing outputs (views included): in-place updates, writes into a
 * region of a larger tensor. Outputs may alias inputs where the op allows it (`adamw`).
 */
export function runOpInto<O extends OpName>(op: O, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: OpAttrs[O]): void {
  dispatch(backendOf(op, [...inputs, ...outputs]), op, inputs, outputs, attrs);
}

/**
 * Runs a tier-1 fused op when the backend has it, else the composite fallback. The fallback runs
 * inside `tidy`, so its temporaries are freed whatever it returns (and counted as a composite run).
 */
export function fusedOr<O extends OpName>(
  op: O,
  inputs: readonly Tensor[],
  outSpecs: readonly { shape: readonly number[]; dtype: DType }[],
  attrs: OpAttrs[O],
  fallback: () => Tensor[],
): Tensor[] {
  const backend = backendOf(op, inputs);
  if (!fusedEnabled(backend, op, inputs.map((t) => t.dtype))) return composite(backend, op, fallback);
  return runOp(op, inputs, outSpecs, attrs, backend);
}

/** A tier-1 op's composite fallback, counted, its temporaries freed by a `tidy`. */
export function composite<T>(backend: BackendV1, op: OpName, fallback: () => T): T {
  countFallback(backend, 'composite', op);
  return tidy(fallback);
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
