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

/**
 * High 32 bits of the 64-bit product of two uint32 values. Splitting one factor into 16-bit
 * halves keeps both partial products below 2⁴⁸, exact in a double; the low word is Math.imul.
 */
function mulhi(a: number, b: number): number {
  const lo = a * (b & 0xffff);
  const hi = a * (b >>> 16);
  return Math.floor((hi + Math.floor(lo / 65536)) / 65536) >>> 0;
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
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
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
