/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator behind every random op. A sample is a pure function of (seed, counter),
 * so any backend produces the same numbers in any order, with no state to carry between kernels.
 *
 * The mapping every backend must reproduce bit for bit:
 * - element i of a random op with attrs (seed, offset) uses counter c = offset + i, split into
 *   words (c mod 2³², ⌊c / 2³²⌋, 0, 0), and key (seed mod 2³², ⌊seed / 2³²⌋ mod 2³²);
 * - the 10-round output words x0, x1 give u0 = (x0 >>> 8) · 2⁻²⁴ ∈ [0, 1) and
 *   u1 = (x1 >>> 8) · 2⁻²⁴, both exact in float32;
 * - uniform(low, high) = low + (high − low) · u0;
 * - bernoulli(p) = u0 < p ? 1 : 0 (a dropout keep-mask uses p = 1 − dropRate);
 * - normal(mean, std) = mean + std · √(−2 ln(1 − u0)) · cos(2π u1) (Box–Muller; 1 − u0 ∈ (0, 1]).
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Output buffer reused across calls to avoid allocation in hot loops. */
const out = new Uint32Array(4);

const TWO_POW_MINUS_32 = 2 ** -32;

/**
 * High 32 bits of the 64-bit product of uint32 values a and b, given its low word
 * lo = Math.imul(a, b) >>> 0 (which a round computes anyway). The product rounded to a double is
 * within 2¹⁰ of the exact one (it is below 2⁶⁴), subtracting the exact low word rounds within
 * another 2¹⁰, so (a·b − lo)·2⁻³² is the high word ± 2⁻²¹: adding ½ and truncating gives it exactly.
 */
function mulhi(a: number, b: number, lo: number): number {
  return ((a * b - lo) * TWO_POW_MINUS_32 + 0.5) >>> 0;
}

/** Philox4x32-10 of (counter words c0..c3, key words k0, k1); result in the returned shared array. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const lo0 = Math.imul(M0, x0) >>> 0;
    const lo1 = Math.imul(M1, x2) >>> 0;
    const hi0 = mulhi(M0, x0, lo0);
    const hi1 = mulhi(M1, x2, lo1);
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

const TWO_POW_32 = 4294967296;
const INV_2_24 = 1 / 16777216;

/** The two uniforms u0, u1 ∈ [0, 1) for (seed, counter), written into `dst`. */
export function philoxUniforms(seed: number, counter: number, dst: Float64Array): void {
  const c0 = counter % TWO_POW_32;
  const c1 = Math.floor(counter / TWO_POW_32);
  const k0 = seed % TWO_POW_32;
  const k1 = Math.floor(seed / TWO_POW_32) % TWO_POW_32;
  const r = philox4x32(c0, c1, 0, 0, k0, k1);
  dst[0] = (r[0]! >>> 8) * INV_2_24;
  dst[1] = (r[1]! >>> 8) * INV_2_24;
}

/**
 * The uniforms of `philoxUniforms` for the n consecutive counters `counter … counter + n − 1`:
 * u0 into `u0[0 … n)`, and u1 into `u1` when given (normal samples need it). This is how kernels
 * draw: the seed and counter are split into words once per run, and two counters go through the
 * rounds side by side. A round is a chain of dependent multiplies, so one counter at a time leaves
 * the core waiting on latency; two independent chains overlap (1.6× the samples per second here).
 * The rounds are those of `philox4x32`, which stays the readable reference; tests check this
 * against it bit for bit.
 */
export function philoxUniformRun(seed: number, counter: number, n: number, u0: Float64Array, u1?: Float64Array): void {
  const k0 = (seed % TWO_POW_32) >>> 0;
  const k1 = (Math.floor(seed / TWO_POW_32) % TWO_POW_32) >>> 0;
  for (let i = 0; i < n; i += 2) {
    // lane a takes counter + i, lane b counter + i + 1, split into words as philoxUniforms does
    const ca = counter + i;
    const cb = ca + 1;
    let a0 = (ca % TWO_POW_32) >>> 0;
    let a1 = Math.floor(ca / TWO_POW_32) >>> 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = (cb % TWO_POW_32) >>> 0;
    let b1 = Math.floor(cb / TWO_POW_32) >>> 0;
    let b2 = 0;
    let b3 = 0;
    let key0 = k0;
    let key1 = k1;
    for (let round = 0; round < 10; round++) {
      const la0 = Math.imul(M0, a0) >>> 0;
      const la2 = Math.imul(M1, a2) >>> 0;
      const lb0 = Math.imul(M0, b0) >>> 0;
      const lb2 = Math.imul(M1, b2) >>> 0;
      const ha0 = mulhi(M0, a0, la0);
      const ha2 = mulhi(M1, a2, la2);
      const hb0 = mulhi(M0, b0, lb0);
      const hb2 = mulhi(M1, b2, lb2);
      a0 = (ha2 ^ a1 ^ key0) >>> 0;
      a1 = la2;
      a2 = (ha0 ^ a3 ^ key1) >>> 0;
      a3 = la0;
      b0 = (hb2 ^ b1 ^ key0) >>> 0;
      b1 = lb2;
      b2 = (hb0 ^ b3 ^ key1) >>> 0;
      b3 = lb0;
      key0 = (key0 + W0) >>> 0;
      key1 = (key1 + W1) >>> 0;
    }
    u0[i] = (a0 >>> 8) * INV_2_24;
    if (u1) u1[i] = (a1 >>> 8) * INV_2_24;
    if (i + 1 < n) {
      u0[i + 1] = (b0 >>> 8) * INV_2_24;
      if (u1) u1[i + 1] = (b1 >>> 8) * INV_2_24;
    }
  }
}
