import { describe, expect, it } from 'vitest';
import { DTypeError, FormatError } from '../src/errors.js';
import { readSafetensors, writeSafetensors } from '../src/io/index.js';
import { fixtureBytes } from './fixtures/safetensors/expected.js';
import { fuzz } from '@edora/fuzz-kit';

/**
 * 10,000 corrupted files thrown at the reader. Each must either read (a mutation can leave a valid
 * file) or throw a FormatError. The only other error allowed is a DTypeError for a *valid* file the
 * host cannot represent: an integer beyond int32, or a dtype with no decoder (a one-byte change
 * turns "F64" into "C64"). Anything else — a TypeError, RangeError, a crash, a hang — fails,
 * with the case's seed and the shortest input that still fails (@edora/fuzz-kit).
 */

const CASES = 10_000;

function seeds(): Uint8Array[] {
  return [
    fixtureBytes('dtypes.safetensors'),
    fixtureBytes('unordered.safetensors'),
    writeSafetensors({}),
    writeSafetensors(
      {
        w: { dtype: 'F32', shape: [3, 4], data: Array.from({ length: 12 }, (_, i) => i / 7) },
        ids: { dtype: 'I64', shape: [5], data: [0, 1, -1, 70000, -70000] },
        m: { dtype: 'F64', shape: [2], data: [1e-300, -2] },
        n: { dtype: 'I32', shape: [0], data: [] },
      },
      { format: 'pt' },
    ),
  ];
}

function withLength(json: string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function splitFile(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>,
    data: bytes.subarray(8 + n),
  };
}

const WILD_VALUES: unknown[] = [
  -1, 0, 1, 2.5, 1e300, 2 ** 53, 2 ** 60, -0, null, true, 'x', '12', [], [1, 2, 3], {}, [-1, 4], [4, 0], [0, 2 ** 62], [0],
];
const DTYPE_NAMES = ['F32', 'F16', 'BF16', 'F64', 'I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL', 'F4', 'f32', 'FLOAT', '', 7];

/** A semantic lie: a well-formed header whose content disagrees with itself or with the data. */
function lyingHeader(seed: Uint8Array, r: () => number): Uint8Array {
  const { header, data } = splitFile(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const kind = Math.floor(r() * 9);
  if (kind === 0 || names.length === 0) {
    header['__metadata__'] = pick([{ a: 1 }, [], 'text', { b: null }, { ok: 'yes' }, 3]);
  } else {
    const name = pick(names);
    const entry = header[name] as Record<string, unknown>;
    const offsets = entry['data_offsets'] as number[];
    switch (kind) {
      case 1:
        entry['dtype'] = pick(DTYPE_NAMES);
        break;
      case 2:
        entry['shape'] = pick([...WILD_VALUES, [...(entry['shape'] as number[]), 2], (entry['shape'] as number[]).slice(1)]);
        break;
      case 3:
        entry['data_offsets'] = pick(WILD_VALUES);
        break;
      case 4: {
        const delta = pick([-8, -4, -2, -1, 1, 2, 4, 8]);
        entry['data_offsets'] = r() < 0.5 ? [offsets[0]! + delta, offsets[1]! + delta] : [offsets[0], offsets[1]! + delta];
        break;
      }
      case 5: {
        const other = header[pick(names)] as Record<string, unknown>;
        entry['data_offsets'] = other['data_offsets'];
        break;
      }
      case 6:
        delete header[name];
        break;
      case 7:
        header[name] = pick(WILD_VALUES);
        break;
      default:
        header[`${name}_copy`] = { ...entry };
    }
  }
  let tail = data;
  if (r() < 0.2) tail = data.subarray(0, Math.floor(r() * data.length));
  return withLength(JSON.stringify(header), tail);
}

function corrupt(seed: Uint8Array, r: () => number): Uint8Array {
  const kind = Math.floor(r() * 7);
  switch (kind) {
    case 0: {
      // Random bytes, sometimes behind a plausible length prefix.
      const out = new Uint8Array(Math.floor(r() * 96));
      for (let i = 0; i < out.length; i++) out[i] = Math.floor(r() * 256);
      if (out.length >= 8 && r() < 0.5) new DataView(out.buffer).setBigUint64(0, BigInt(Math.floor(r() * out.length)), true);
      return out;
    }
    case 1:
      return seed.slice(0, Math.floor(r() * seed.length));
    case 2: {
      const out = seed.slice();
      const flips = 1 + Math.floor(r() * 8);
      for (let k = 0; k < flips; k++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
      return out;
    }
    case 3: {
      const out = seed.slice();
      const dv = new DataView(out.buffer);
      const n = Number(dv.getBigUint64(0, true));
      const lie = [0n, 1n, BigInt(n + 1), BigInt(Math.max(0, n - 1)), BigInt(out.length), 100_000_001n, 2n ** 63n, 2n ** 64n - 1n];
      dv.setBigUint64(0, lie[Math.floor(r() * lie.length)]!, true);
      return out;
    }
    case 4: {
      const extra = 1 + Math.floor(r() * 16);
      const out = new Uint8Array(seed.length + extra);
      out.set(seed);
      return out;
    }
    case 5: {
      // Insert bytes inside the header, keeping the declared length.
      const at = 8 + Math.floor(r() * Math.min(32, seed.length - 8));
      const out = new Uint8Array(seed.length + 1);
      out.set(seed.subarray(0, at));
      out[at] = Math.floor(r() * 256);
      out.set(seed.subarray(at), at + 1);
      return out;
    }
    default:
      return lyingHeader(seed, r);
  }
}

describe('fuzzing the reader with corrupted files', () => {
  it(`throws only typed errors on ${CASES} corrupted files (more under pnpm fuzz)`, { timeout: 600_000 }, async () => {
    const pool = seeds();
    const summary = await fuzz({
      name: 'safetensors',
      seed: 1,
      cases: CASES,
      generate: (r, c) => corrupt(pool[c % pool.length]!, () => r.next()),
      run: (bytes) => {
        const tensors = readSafetensors(bytes);
        for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      },
      expected: (err) => err instanceof FormatError || (err instanceof DTypeError && /does not fit int32|cannot be decoded/.test(err.message)),
    });
    // The generator must mostly produce broken files, or the test proves little.
    expect(summary.rejected.E_FORMAT).toBeGreaterThan(summary.cases * 0.8);
  });
});
