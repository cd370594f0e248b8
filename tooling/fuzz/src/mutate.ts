import type { FuzzRng } from './rng.js';

/**
 * Generic mutations of text and bytes. Parser tests add their own structure-aware ones (a lying
 * header, a wrong-typed field); these are the blind ones every parser must survive.
 */

/** Values a hostile JSON file likes to hold where a string or number is expected. */
export const HOSTILE_JSON_VALUES: readonly string[] = [
  '-1', '0', '1.5', '1e308', '-0', '2147483648', '9007199254740993', '4294967296', 'null', 'true', '""', '"x"', '[]', '{}',
  '{"toString": 1}', '{"valueOf": {}, "toString": "x"}', '"\\u0000"', '"\\ud800"', `"${'x'.repeat(1000)}"`,
  `${'['.repeat(3000)}${']'.repeat(3000)}`, `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`,
];

/** One to `max` random edits of `text`: insert a piece, delete a span, duplicate a span, truncate. */
export function mutateText(text: string, r: FuzzRng, pieces: readonly string[], max = 3): string {
  let out = text;
  for (let m = 1 + r.int(max); m > 0; m--) {
    const at = r.int(out.length + 1);
    switch (r.int(5)) {
      case 0:
      case 1:
        out = out.slice(0, at) + r.pick(pieces) + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + out.slice(at + 1 + r.int(8));
        break;
      case 3: {
        const span = out.slice(at, at + 1 + r.int(16));
        out = out.slice(0, at) + span + span + out.slice(at);
        break;
      }
      default:
        out = out.slice(0, at);
    }
  }
  return out;
}

/** One to `max` byte edits: overwrite, insert, delete, truncate, extend with zeros. */
export function mutateBytes(bytes: Uint8Array, r: FuzzRng, max = 8): Uint8Array {
  let out = bytes.slice();
  for (let m = 1 + r.int(max); m > 0; m--) {
    const at = r.int(out.length + 1);
    switch (r.int(5)) {
      case 0:
      case 1:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = r.int(256);
        break;
      case 2: {
        const next = new Uint8Array(out.length + 1);
        next.set(out.subarray(0, at));
        next[at] = r.int(256);
        next.set(out.subarray(at), at + 1);
        out = next;
        break;
      }
      case 3:
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + r.int(8))]);
        break;
      default:
        out = r.chance(0.5) ? out.slice(0, at) : Uint8Array.from([...out, ...new Uint8Array(1 + r.int(16))]);
    }
  }
  return out;
}

/**
 * A JSON document with one value replaced by a hostile one: the parse succeeds, the semantics lie.
 * `paths` are the keys (top level) whose values may be replaced.
 */
export function lieInJson(json: Record<string, unknown>, r: FuzzRng, keys: readonly string[]): string {
  const key = r.pick(keys);
  const marker = '"__FUZZ_VALUE__"';
  const text = JSON.stringify({ ...json, [key]: '__FUZZ_VALUE__' });
  return text.replace(marker, r.pick(HOSTILE_JSON_VALUES));
}
