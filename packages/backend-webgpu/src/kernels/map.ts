import { collapseDims, type TensorView } from '@edora/tensor';
import { WebGpuOpError } from '../errors.js';
import { ParamBuilder, grid1d, type BindWindow, type Dispatch } from './program.js';

/**
 * The strided elementwise skeleton behind every map-like op: one invocation per element of the
 * output shape, which it decomposes into coordinates and dots with each view's strides. Dims
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
    return `${spec.prelude ?? ''}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= pu(0u)) { return; }
  ${lines.join('\n  ')}
  ${spec.body}
}`;
  };
  return {
    op: spec.op,
    key: `map:${spec.key}:r${rank}:v${nv}`,
    views: spec.views,
    writes: spec.writes,
    ...(spec.windows ? { windows: spec.windows } : {}),
    wgsl,
    params: p,
    grid: grid1d(Math.ceil(n / WG)),
  };
}
