import type { OpAttrs, TensorView } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import { WGSL_MATH } from './math.js';
import type { Dispatch, PlanContext } from './program.js';
import { wgMaxU32, wgSum, workgroupReduceWgsl } from './workgroup-reduce.js';

/**
 * Reduction along one axis: the strided skeleton runs over the other dims (one invocation per
 * output) and each invocation walks the axis. Sums use Neumaier compensation, so a float32 sum of
 * a long row stays within a few ulp of the exact value, as the cpu reference's float64 sum does.
 * argmax keeps the first maximum; a NaN wins over numbers, as in the cpu backend.
 *
 * Sum and max over an axis of at least WORKGROUP_AXIS elements with few outputs (a whole-tensor
 * sum, a loss mean, a gradient norm, a bias gradient) run one workgroup per output instead: its
 * invocations walk the axis interleaved, each with its own Neumaier sum or NaN-aware max, and a
 * workgroup reduction (subgroups when the device has them) combines them, rather than one
 * invocation walking millions of elements alone. "Few" is what one invocation per output cannot
 * fill the device with: below 16,384 outputs on a GPU, below 64 on a CPU emulator, where one
 * invocation per output measured 3–8× faster already at 768 outputs (docs/benchmarks.md).
 * Max combines order-preserving u32 keys of the floats, with NaN as the largest key, so NaN wins
 * there too and the combine is exact.
 */
export const WORKGROUP_AXIS = 256;
export const WORKGROUP_MAX_OUTPUTS = { gpu: 16384, software: 64 } as const;
const WG = 64;

const ORDERED_KEYS = /* wgsl */ `
fn orderedKey(x: f32) -> u32 {
  if (isNan(x)) { return 0xffffffffu; }
  let b = bitcast<u32>(x);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}
fn fromOrderedKey(k: u32) -> f32 {
  if (k == 0xffffffffu) { return nanF(); }
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}`;
function dropAxis(v: TensorView, axis: number): TensorView {
  // a plain object: views may be Tensor instances whose fields are getters, which spreading drops
  return {
    buffer: v.buffer, dtype: v.dtype, offset: v.offset,
    shape: v.shape.filter((_, i) => i !== axis), strides: v.strides.filter((_, i) => i !== axis),
  };
}

export function reduce(x: TensorView, out: TensorView, attrs: OpAttrs['reduce'], ctx: PlanContext): Dispatch | null {
  const { fn, axis } = attrs;
  const xo = dropAxis(x, axis);
  const oo = dropAxis(out, axis);
  const outputs = xo.shape.reduce((p, s) => p * s, 1);
  const maxOutputs = ctx.software ? WORKGROUP_MAX_OUTPUTS.software : WORKGROUP_MAX_OUTPUTS.gpu;
  if (fn !== 'argmax' && x.shape[axis]! >= WORKGROUP_AXIS && outputs < maxOutputs) {
    return workgroupReduce(x, out, xo, oo, fn, axis, ctx.subgroups);
  }
  const loop = `
  let len = pu(${EXTRA}u);
  let st = pi(${EXTRA + 1}u);`;
  let body: string;
  if (fn === 'sum') {
    body = `${loop}
  var s = 0.0; var comp = 0.0; var p = i32(o0);
  for (var k = 0u; k < len; k++) {
    let v = f32(ld0(u32(p)));
    let t = s + v;
    comp = comp + select(v - t + s, s - t + v, abs(s) >= abs(v));
    s = t;
    p = p + st;
  }
  st1(o1, ${out.dtype === 'int32' ? 'i32(s + comp)' : 's + comp'});`;
  } else {
    body = `${loop}
  var best = f32(ld0(o0)); var bi = 0u; var p = i32(o0) + st;
  for (var k = 1u; k < len; k++) {
    let v = f32(ld0(u32(p)));
    if (v > best || (isNan(v) && !isNan(best))) { best = v; bi = k; }
    p = p + st;
  }
  st1(o1, ${fn === 'argmax' ? `${out.dtype === 'int32' ? 'i32(bi)' : 'f32(bi)'}` : out.dtype === 'int32' ? 'i32(best)' : 'best'});`;
  }
  return mapDispatch({
    op: `reduce ${fn}`,
    key: `reduce:${fn}:${x.dtype}:${out.dtype}`,
    shape: xo.shape,
    views: [xo, oo],
    writes: [false, true],
    prelude: WGSL_MATH,
    extra: (p) => p.u(EXTRA, x.shape[axis]!).i(EXTRA + 1, x.strides[axis]!),
    body,
  });
}

function workgroupReduce(
  x: TensorView, out: TensorView, xo: TensorView, oo: TensorView, fn: 'sum' | 'max', axis: number, subgroups: boolean,
): Dispatch | null {
  const cast = (v: string): string => (out.dtype === 'int32' ? `i32(${v})` : v);
  const walk = `
  let len = pu(${EXTRA}u);
  let st = pi(${EXTRA + 1}u);
  var p = i32(o0) + i32(lid) * st;
  for (var k = lid; k < len; k += ${WG}u) {
    let v = f32(ld0(u32(p)));`;
  const body =
    fn === 'sum'
      ? `
  var s = 0.0; var comp = 0.0;${walk}
    let t = s + v;
    comp = comp + select(v - t + s, s - t + v, abs(s) >= abs(v));
    s = t;
    p = p + st * ${WG};
  }
  let total = wgSum(s + comp, lid);
  if (lid == 0u) { st1(o1, ${cast('total')}); }`
      : `
  var best = negInf();${walk}
    if (v > best || (isNan(v) && !isNan(best))) { best = v; }
    p = p + st * ${WG};
  }
  let m = fromOrderedKey(wgMaxU32(orderedKey(best), lid));
  if (lid == 0u) { st1(o1, ${cast('m')}); }`;
  return mapDispatch({
    op: `reduce ${fn}`,
    key: `reduceWg:${fn}:${x.dtype}:${out.dtype}${subgroups ? ':sg' : ''}`,
    shape: xo.shape,
    views: [xo, oo],
    writes: [false, true],
    prelude: `${WGSL_MATH}${ORDERED_KEYS}${workgroupReduceWgsl(WG, subgroups, [fn === 'sum' ? wgSum : wgMaxU32])}`,
    extra: (p) => p.u(EXTRA, x.shape[axis]!).i(EXTRA + 1, x.strides[axis]!),
    perWorkgroup: WG,
    ...(subgroups ? { enables: ['subgroups'] as const } : {}),
    body,
  });
}
