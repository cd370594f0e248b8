/**
 * WGSL functions the kernels share. WGSL has no erf, and the driver's built-ins are allowed
 * loose error bounds, so the functions the contract defines precisely are written out here.
 *
 * erf: |x| ≤ 2 by its Maclaurin series (terms shrink below float32 resolution by n = 24; the
 * largest term is ~3.5, so cancellation costs under 3 bits); |x| > 2 by Laplace's continued
 * fraction for erfc, whose 30-level truncation is exact to float32 there; |x| ≥ 4 saturates.
 */
export const WGSL_MATH = /* wgsl */ `
// through a var: WGSL const-evaluates bitcast of a literal and rejects non-finite results
fn fromBits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
fn negInf() -> f32 { return fromBits(0xff800000u); }
fn posInf() -> f32 { return fromBits(0x7f800000u); }
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn nanF() -> f32 { return fromBits(0x7fc00000u); }

fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax <= 2.0) {
    let x2 = x * x;
    var term = x;
    var sum = x;
    for (var n = 1; n < 30; n++) {
      term = term * (-x2 / f32(n));
      sum = sum + term / f32(2 * n + 1);
    }
    return 1.1283791670955126 * sum;
  }
  if (ax >= 4.0) { return sign(x); }
  var f = ax;
  for (var k = 30; k >= 1; k--) { f = ax + (f32(k) * 0.5) / f; }
  let erfc = exp(-ax * ax) * 0.5641895835477563 / f;
  return select(erfc - 1.0, 1.0 - erfc, x > 0.0);
}

fn gelu_(x: f32) -> f32 { return 0.5 * x * (1.0 + erf_(x * 0.7071067811865476)); }

fn geluGrad_(x: f32) -> f32 {
  return 0.5 * (1.0 + erf_(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
}

fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

fn tanh_(x: f32) -> f32 {
  // tanh via exp of a non-positive argument: no overflow, and accurate near 0 through the
  // series branch (the driver's tanh may lose relative accuracy there)
  let ax = abs(x);
  if (ax < 0.0625) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1333333333 + x2 * (-0.0539682540))));
  }
  let e = exp(-2.0 * ax);
  return sign(x) * (1.0 - e) / (1.0 + e);
}

`;
