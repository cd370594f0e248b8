import { TIER0_OPS, type BackendV1, type OpAttrs, type OpName, type TensorView } from '../contract.js';
import type { DType } from '../../dtype.js';
import { runDense } from './dense.js';
import { runOnHost } from './host-fallback.js';

/**
 * A backend kernel. It may decline (return `false`) a call it has no fast path for, a dtype it
 * does not handle say, and the op then runs on the host fallback.
 */
export type Kernel<O extends OpName> = (inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]) => boolean | void;

/** The ops a backend has kernels for; every other op runs on the host fallback. */
export type KernelTable = { readonly [O in OpName]?: Kernel<O> };

export interface KernelTableOptions {
  /** The kernels (all but `copy`) take dense views only: others are made dense around them (`runDense`). */
  denseOnly?: boolean;
}

/**
 * `run` for a backend built from a partial kernel table: an op with a kernel runs it (on dense
 * stand-ins when `denseOnly`), any other op, or a call the kernel declines, runs on the cpu
 * kernels through the backend's own read and write (`runOnHost`, counted).
 */
export function runKernelOrHost<O extends OpName>(
  backend: BackendV1, kernels: KernelTable, op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O],
  options: KernelTableOptions = {},
): void {
  const kernel = kernels[op] as Kernel<O> | undefined;
  if (kernel) {
    let declined = false;
    const call = (i: readonly TensorView[], o: readonly TensorView[]): void => {
      declined = kernel(i, o, attrs) === false;
    };
    if (options.denseOnly) runDense(backend, op, inputs, outputs, call);
    else call(inputs, outputs);
    if (!declined) return;
  }
  runOnHost(backend, op, inputs, outputs, attrs);
}

/**
 * `supportsOp` for such a backend: every tier-0 op (the host fallback runs what has no kernel),
 * and the tier-1 ops it has kernels for (for the others the core's composites, made of tier-0
 * ops, run on the backend's kernels rather than on the host).
 */
export function supportsWithHostFallback(kernels: KernelTable, op: OpName, _dtypes: readonly DType[]): boolean {
  return (TIER0_OPS as readonly OpName[]).includes(op) || op in kernels;
}
