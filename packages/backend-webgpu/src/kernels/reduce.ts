import type { OpAttrs, TensorView } from '@edora/tensor';
import { EXTRA, mapDispatch } from './map.js';
import { WGSL_MATH } from './math.js';
import type { Dispatch } from './program.js';

/**
 * Reduction along one axis: the strided skeleton runs over the other dims (one invocation per
 * output) and each invocation walks the axis. Sums use Neumaier compensation, so a float32 sum of
 * a long row stays within a few ulp of the exact value, as the cpu reference's float64 sum does.
 * argmax keeps the first maximum; a NaN wins over numbers, as in the cpu backend.
 */
function dropAxis(v: TensorView, axis: number): TensorView {
  // a plain object: views may be Tensor instances whose fields are getters, which spreading drops
  return {
    buffer: v.buffer, dtype: v.dtype, offset: v.offset,
    shape: v.shape.filter((_, i) => i !== axis), strides: v.strides.filter((_, i) => i !== axis),
  };
}

export function reduce(x: TensorView, out: TensorView, attrs: OpAttrs['reduce']): Dispatch | null {
  const { fn, axis } = attrs;
  const xo = dropAxis(x, axis);
  const oo = dropAxis(out, axis);
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
