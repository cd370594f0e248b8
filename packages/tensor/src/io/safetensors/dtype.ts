/**
 * The element types a safetensors header may name, their sizes, and how each maps onto the host
 * arrays our tensors use.
 *
 * The order of `SAFETENSORS_DTYPES` is the reference implementation's `Dtype` enum order (increasing
 * alignment). Its writer sorts tensors by this order, descending, then by name; our writer does the
 * same so that it produces byte-identical files.
 */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** The dtypes `decodeTensorData` turns into host arrays. */
export type DecodableDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'U64' | 'I32' | 'U32' | 'I16' | 'U16' | 'I8' | 'U8' | 'BOOL';

/** The dtypes `writeSafetensors` writes. */
export type WritableDType = 'F32' | 'F64' | 'I32' | 'I64';

const DTYPE_RANK: ReadonlyMap<string, number> = new Map(SAFETENSORS_DTYPES.map((d, i) => [d, i]));

/**
 * Bits per element. Sub-byte types (F4, F6_*) exist in the format; a tensor of them must pack into
 * whole bytes, which `tensorByteLength` checks.
 */
const BITS: Record<SafetensorsDType, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export function isSafetensorsDType(name: unknown): name is SafetensorsDType {
  return typeof name === 'string' && DTYPE_RANK.has(name);
}

/** Position in the reference enum; larger means more strictly aligned. */
export function dtypeRank(dtype: SafetensorsDType): number {
  return DTYPE_RANK.get(dtype)!;
}

export function dtypeBits(dtype: SafetensorsDType): number {
  return BITS[dtype];
}

/**
 * Byte length of `count` elements, or undefined when the count does not pack into whole bytes.
 * `count` must be a safe integer; the result may exceed the safe range only when the caller already
 * knows it does not (callers compare against a byte length that is itself safe).
 */
export function tensorByteLength(dtype: SafetensorsDType, count: number): number | undefined {
  const bits = count * BITS[dtype];
  return bits % 8 === 0 ? bits / 8 : undefined;
}
