/**
 * IEEE binary16 (F16) and bfloat16 (BF16) to float32. Both widen exactly: every half and bfloat16
 * value, subnormals, infinities and NaN included, is a float32 value.
 */

let f16Table: Float32Array | undefined;

/** The float32 value of each of the 65536 binary16 bit patterns, built on first use (256 KiB). */
function table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) t[bits] = f16BitsToNumber(bits);
  f16Table = t;
  return t;
}

/** One binary16 bit pattern as a number: sign, 5 exponent bits (bias 15), 10 fraction bits. */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

export function decodeF16(halves: Uint16Array, out: Float32Array): void {
  const t = table();
  for (let i = 0; i < halves.length; i++) out[i] = t[halves[i]!]!;
}

/** bfloat16 is the top half of a float32, so widening is a shift of the bit pattern. */
export function decodeBF16(halves: Uint16Array, out: Float32Array): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < halves.length; i++) words[i] = halves[i]! << 16;
}
