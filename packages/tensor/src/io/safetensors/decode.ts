import type { AnyTypedArray } from '../../dtype.js';
import { DTypeError, FormatError } from '../../errors.js';
import type { SafetensorsDType } from './dtype.js';
import { tensorByteLength } from './dtype.js';
import { decodeBF16, decodeF16 } from './half.js';
import { copyLittleEndian, littleEndianView } from './little-endian.js';

/**
 * Turning a tensor's raw bytes into the host array our tensors use: Float32Array for F32, F16 and
 * BF16 (both widen exactly), Float64Array for F64 (callers may downcast), Int32Array for every
 * integer type and BOOL. Integers that do not fit int32 are an error naming the tensor, never a
 * silent wrap.
 */

export interface DecodeContext {
  /** The tensor's name, for error messages. */
  name?: string;
  /** The file or buffer, for error messages. */
  source?: string;
}

function label(ctx: DecodeContext): string {
  const tensor = ctx.name === undefined ? 'tensor' : `tensor ${JSON.stringify(ctx.name)}`;
  return ctx.source === undefined ? tensor : `${ctx.source}: ${tensor}`;
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** Dtypes whose bytes are already the host array's bytes (little-endian): no conversion. */
export function isHostLayout(dtype: SafetensorsDType): dtype is 'F32' | 'F64' | 'I32' {
  return dtype === 'F32' || dtype === 'F64' || dtype === 'I32';
}

/** The host array `decodeTensorData` returns for `dtype`, empty, with `count` elements. */
export function hostArrayFor(dtype: SafetensorsDType, count: number, ctx: DecodeContext = {}): AnyTypedArray {
  switch (dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return new Float32Array(count);
    case 'F64':
      return new Float64Array(count);
    case 'I64':
    case 'U64':
    case 'I32':
    case 'U32':
    case 'I16':
    case 'U16':
    case 'I8':
    case 'U8':
    case 'BOOL':
      return new Int32Array(count);
    default:
      throw new DTypeError(
        `${label(ctx)} has dtype ${dtype}, which cannot be decoded; supported: F32, F16, BF16, F64, I64, U64, I32, U32, I16, U16, I8, U8, BOOL`,
      );
  }
}

function tooWide(ctx: DecodeContext, dtype: string, value: bigint | number, index: number): never {
  throw new DTypeError(
    `${label(ctx)} (${dtype}) holds ${value} at flat index ${index}, which does not fit int32 (the host integer type, range -2147483648..2147483647)`,
  );
}

/** 64-bit integers as (low, high) int32 pairs: a value fits int32 iff high is low's sign extension. */
function decodeWide(bytes: Uint8Array, out: Int32Array, signed: boolean, ctx: DecodeContext): void {
  const words = littleEndianView(bytes, Int32Array);
  for (let i = 0; i < out.length; i++) {
    const low = words[2 * i]!;
    const high = words[2 * i + 1]!;
    if (high !== (signed ? low >> 31 : 0) || (!signed && low < 0)) {
      const value = (BigInt(high) << 32n) | BigInt(low >>> 0);
      tooWide(ctx, signed ? 'I64' : 'U64', signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value), i);
    }
    out[i] = low;
  }
}

/**
 * Decodes the little-endian bytes of one tensor into a fresh host array (never aliasing `bytes`).
 * `bytes.length` must equal the size the dtype and shape call for.
 */
export function decodeTensorData(
  dtype: SafetensorsDType,
  shape: readonly number[],
  bytes: Uint8Array,
  ctx: DecodeContext = {},
): AnyTypedArray {
  const count = elementCount(shape);
  const expected = tensorByteLength(dtype, count);
  if (expected !== bytes.length) {
    throw new FormatError(`${label(ctx)}: dtype ${dtype} with shape [${shape.join(', ')}] needs ${expected} bytes, found ${bytes.length}`);
  }
  const out = hostArrayFor(dtype, count, ctx);
  switch (dtype) {
    case 'F32':
    case 'F64':
    case 'I32':
      copyLittleEndian(bytes, out);
      break;
    case 'F16':
      decodeF16(littleEndianView(bytes, Uint16Array), out as Float32Array);
      break;
    case 'BF16':
      decodeBF16(littleEndianView(bytes, Uint16Array), out as Float32Array);
      break;
    case 'I64':
    case 'U64':
      decodeWide(bytes, out as Int32Array, dtype === 'I64', ctx);
      break;
    case 'U32': {
      const words = littleEndianView(bytes, Uint32Array);
      for (let i = 0; i < count; i++) {
        if (words[i]! > 0x7fffffff) tooWide(ctx, dtype, words[i]!, i);
        out[i] = words[i]!;
      }
      break;
    }
    case 'I16':
      (out as Int32Array).set(littleEndianView(bytes, Int16Array));
      break;
    case 'U16':
      (out as Int32Array).set(littleEndianView(bytes, Uint16Array));
      break;
    case 'I8':
      (out as Int32Array).set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      break;
    case 'U8':
      (out as Int32Array).set(bytes);
      break;
    case 'BOOL':
      for (let i = 0; i < count; i++) {
        if (bytes[i]! > 1) {
          throw new FormatError(`${label(ctx)}: BOOL byte at flat index ${i} is ${bytes[i]}, expected 0 or 1`);
        }
        out[i] = bytes[i]!;
      }
      break;
  }
  return out;
}
