/**
 * The error function to double precision. Tensor kernels and the float64 conformance reference
 * share it, so it must be accurate well beyond float32 (|error| < 1e-15), not merely fast.
 *
 * |x| ≤ 2.5: the Maclaurin series erf x = 2/√π Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), summed until the terms
 * stop mattering (≤ 40 terms at 2.5; cancellation costs at most ~3 digits there).
 * |x| > 2.5: erfc x = exp(−x²)/√π · K(x) with Laplace's continued fraction
 * K = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up with a fixed depth
 * that converges to double precision for x > 2.5.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax <= 2.5) {
    const x2 = x * x;
    let term = x; // (−1)ⁿ x²ⁿ⁺¹ / n!
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax >= 6.5) return x > 0 ? 1 : -1;
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = (Math.exp(-ax * ax) * INV_SQRT_PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** GELU, exact erf form: x · Φ(x) = x/2 · (1 + erf(x/√2)). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

const INV_SQRT_2PI = 0.3989422804014327;

/** d/dx GELU(x) = Φ(x) + x φ(x). */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
