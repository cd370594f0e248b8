/**
 * Reductions across one workgroup, as WGSL functions `name(v, lid) -> T` that every invocation of
 * the workgroup calls in uniform control flow and that return the combined value to all of them.
 *
 * Two implementations of the same functions:
 * - tree: each invocation stores its value in workgroup memory, then log2(size) halving steps,
 *   each behind a barrier;
 * - subgroups (the device has the `subgroups` feature): subgroupAdd/subgroupMax combine each
 *   subgroup in registers, one invocation per subgroup (`subgroupElect`) stores the subgroup's
 *   value at its own slot and every other invocation stores the identity, and after one barrier
 *   each invocation combines all slots. That uses no assumption about the subgroup size (WebGPU
 *   allows 4 to 128, and a workgroup smaller than a subgroup is simply one subgroup) nor about how
 *   invocations map to subgroups, and the combine order is fixed, so results do not vary run to run.
 */
export interface WorkgroupReducer {
  /** Name of the generated function. */
  name: string;
  type: 'f32' | 'u32';
  /** Value that leaves the combine unchanged. */
  identity: string;
  combine: (a: string, b: string) => string;
  subgroupOp: 'subgroupAdd' | 'subgroupMax';
}

export const wgSum: WorkgroupReducer = {
  name: 'wgSum', type: 'f32', identity: '0.0', combine: (a, b) => `(${a} + ${b})`, subgroupOp: 'subgroupAdd',
};
/** f32 max; NaN handling is the driver's (as WGSL's max): rows with NaN give NaN or a number. */
export const wgMax: WorkgroupReducer = {
  name: 'wgMax', type: 'f32', identity: 'negInf()', combine: (a, b) => `max(${a}, ${b})`, subgroupOp: 'subgroupMax',
};
/** u32 max: exact, used on order-preserving float keys where NaN must win (see reduce.ts). */
export const wgMaxU32: WorkgroupReducer = {
  name: 'wgMaxU32', type: 'u32', identity: '0u', combine: (a, b) => `max(${a}, ${b})`, subgroupOp: 'subgroupMax',
};

function tree(size: number, r: WorkgroupReducer): string {
  return `
var<workgroup> ${r.name}_: array<${r.type}, ${size}>;
fn ${r.name}(v: ${r.type}, lid: u32) -> ${r.type} {
  ${r.name}_[lid] = v;
  workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${r.name}_[lid] = ${r.combine(`${r.name}_[lid]`, `${r.name}_[lid + s]`)}; }
    workgroupBarrier();
  }
  let t = ${r.name}_[0];
  workgroupBarrier();
  return t;
}`;
}

function subgroup(size: number, r: WorkgroupReducer): string {
  // slots as vec4s: each invocation reads size/4 vectors rather than size scalars
  const vec = `vec4<${r.type}>`;
  return `
var<workgroup> ${r.name}_: array<${vec}, ${size / 4}>;
fn ${r.name}(v: ${r.type}, lid: u32) -> ${r.type} {
  let s = ${r.subgroupOp}(v);
  ${r.name}_[lid / 4u][lid % 4u] = select(${r.identity}, s, subgroupElect());
  workgroupBarrier();
  var a = ${r.name}_[0];
  for (var j = 1u; j < ${size / 4}u; j++) { a = ${r.combine('a', `${r.name}_[j]`)}; }
  workgroupBarrier();
  return ${r.combine(r.combine('a.x', 'a.y'), r.combine('a.z', 'a.w'))};
}`;
}

/** WGSL for the given reducers over workgroups of `size` invocations (a power of two, at least 4). */
export function workgroupReduceWgsl(size: number, subgroups: boolean, reducers: readonly WorkgroupReducer[]): string {
  if (size < 4 || (size & (size - 1)) !== 0) throw new Error(`workgroupReduceWgsl: size must be a power of two ≥ 4, got ${size}`);
  return reducers.map((r) => (subgroups ? subgroup(size, r) : tree(size, r))).join('\n');
}
