import type { TensorView } from '@edora/tensor';
import { collapseDims } from '@edora/tensor/backend-kit';
import { WebGpuOpError } from '../errors.js';
import { ParamBuilder, grid1d, type BindWindow, type Dispatch, type WgslExtension } from './program.js';

/**
 * The strided elementwise skeleton behind every map-like op: one invocation per element of the
 * output shape (or, with `perWorkgroup`, one workgroup whose invocations share the element), which
 * it decomposes into coordinates and dots with each view's strides. Dims
 * that are contiguous for every view are merged first (a contiguous op becomes rank 1), and the
 * remaining rank, at most MAX_RANK, is unrolled into the shader variant.
 *
 * Params: word 0 = element count, words 1..6 = merged shape, view k at words 8+8k (offset) and
 * 9+8k.. (strides); words 48..63 are free for the op's own scalars (EXTRA).
 */
export const MAX_RANK = 6;
export const MAX_VIEWS = 5;
export const EXTRA = 48;
const WG = 256;

export interface MapSpec {
  op: string;
  key: string;
  shape: readonly number[];
  views: readonly TensorView[];
  writes: readonly boolean[];
  /** Statements using o0..o{k} (u32 element indices of each view) and `i` (logical index). */
  body: string;
  /** WGSL placed before the entry point. */
  prelude?: string;
  /** Per view: a byte window of its buffer to bind (see Dispatch.windows). */
  windows?: readonly (BindWindow | null)[];
  /** Sets the op's scalars at EXTRA.. */
  extra?: (p: ParamBuilder) => void;
  /** The body calls `reportBadIndex` (see Dispatch.faults). */
  faults?: boolean;
  /**
   * One workgroup of this many invocations per element instead of one invocation: the body also
   * sees `lid` (local_invocation_index) and may use workgroup reductions (see workgroup-reduce.ts).
   */
  perWorkgroup?: number;
  /** WGSL extensions the prelude or body need. */
  enables?: readonly WgslExtension[];
}

export function mapDispatch(spec: MapSpec): Dispatch | null {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return null;
  if (spec.views.length > MAX_VIEWS) throw new WebGpuOpError(`${spec.op}: at most ${MAX_VIEWS} views per elementwise kernel`);
  const c = collapseDims(spec.shape, spec.views.map((v) => v.strides));
  const rank = c.shape.length;
  if (rank > MAX_RANK) {
    throw new WebGpuOpError(
      `${spec.op}: the webgpu backend indexes views of up to ${MAX_RANK} non-mergeable dims; found shape [${spec.shape.join(', ')}] with strides ${spec.views.map((v) => `[${v.strides.join(', ')}]`).join(' ')}`,
    );
  }
  const p = new ParamBuilder().u(0, n);
  c.shape.forEach((d, k) => p.u(1 + k, d));
  spec.views.forEach((v, k) => {
    p.i(8 + 8 * k, v.offset);
    c.strides[k]!.forEach((s, d) => p.i(9 + 8 * k + d, s));
  });
  spec.extra?.(p);
  const nv = spec.views.length;
  const wgsl = (): string => {
    const lines: string[] = [];
    for (let k = 0; k < nv; k++) lines.push(`var o${k}_ = pi(${8 + 8 * k}u);`);
    if (rank > 0) lines.push('var rem = i;');
    for (let d = rank - 1; d >= 0; d--) {
      lines.push(`{ let sz = pu(${1 + d}u); let c = i32(rem % sz); rem = rem / sz;`);
      for (let k = 0; k < nv; k++) lines.push(`  o${k}_ = o${k}_ + c * pi(${9 + 8 * k + d}u);`);
      lines.push('}');
    }
    for (let k = 0; k < nv; k++) lines.push(`let o${k} = u32(o${k}_);`);
    const entry = spec.perWorkgroup
      ? `@compute @workgroup_size(${spec.perWorkgroup})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;`
      : `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;`;
    return `${spec.prelude ?? ''}
${entry}
  if (i >= pu(0u)) { return; }
  ${lines.join('\n  ')}
  ${spec.body}
}`;
  };
  return {
    op: spec.op,
    key: `map:${spec.key}:r${rank}:v${nv}${spec.perWorkgroup ? `:wg${spec.perWorkgroup}` : ''}`,
    views: spec.views,
    writes: spec.writes,
    ...(spec.windows ? { windows: spec.windows } : {}),
    ...(spec.faults ? { faults: true } : {}),
    ...(spec.enables ? { enables: spec.enables } : {}),
    wgsl,
    params: p,
    grid: grid1d(spec.perWorkgroup ? n : Math.ceil(n / WG)),
  };
}
