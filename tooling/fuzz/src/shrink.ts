/**
 * A delta-debugging shrinker: remove chunks of the input (halves, then quarters, ... then single
 * elements) while the failure persists, so a failing case is reported as the shortest input that
 * still fails the same way. Strings and byte arrays shrink directly; a record of files (an adapter
 * or model folder) shrinks one file at a time.
 */
export type Shrinkable = string | Uint8Array | { readonly [file: string]: string | Uint8Array };

type Flat = string | Uint8Array;

function cut<T extends Flat>(x: T, start: number, end: number): T {
  if (typeof x === 'string') return (x.slice(0, start) + x.slice(end)) as T;
  const out = new Uint8Array(x.length - (end - start));
  out.set(x.subarray(0, start));
  out.set(x.subarray(end), start);
  return out as T;
}

/** Smaller variants of a flat input, largest removals first. */
function* flatCandidates<T extends Flat>(x: T): Generator<T> {
  for (let size = Math.max(1, x.length >> 1); size >= 1; size >>= 1) {
    for (let start = 0; start + size <= x.length; start += size) yield cut(x, start, start + size);
    if (size === 1) break;
  }
}

export function* shrinkCandidates<T extends Shrinkable>(input: T): Generator<T> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    yield* flatCandidates(input as Flat) as Generator<T>;
    return;
  }
  const files = input as Record<string, Flat>;
  for (const key of Object.keys(files)) {
    for (const smaller of flatCandidates(files[key]!)) yield { ...files, [key]: smaller } as T;
  }
}

export function sizeOf(input: Shrinkable): number {
  if (typeof input === 'string' || input instanceof Uint8Array) return input.length;
  return Object.values(input).reduce((n, v) => n + v.length, 0);
}

/**
 * Shrinks `input` while `stillFails` holds, greedily: take the first smaller candidate that
 * fails, restart from it; stop when none does or after `maxTries` runs.
 */
export async function shrink<T extends Shrinkable>(input: T, stillFails: (x: T) => Promise<boolean>, maxTries = 400): Promise<{ input: T; tries: number }> {
  let best = input;
  let tries = 0;
  for (let improved = true; improved && tries < maxTries; ) {
    improved = false;
    for (const candidate of shrinkCandidates(best)) {
      if (++tries > maxTries) break;
      if (await stillFails(candidate)) {
        best = candidate;
        improved = true;
        break;
      }
    }
  }
  return { input: best, tries };
}

/** An input as text for a failure message: JSON for strings, hex for bytes, per file for folders. */
export function showInput(input: Shrinkable, max = 2000): string {
  const one = (x: Flat): string => {
    const s = typeof x === 'string' ? JSON.stringify(x) : `hex ${Buffer.from(x).toString('hex')}`;
    return s.length > max ? `${s.slice(0, max)}… (${x.length} in all)` : s;
  };
  if (typeof input === 'string' || input instanceof Uint8Array) return one(input);
  return Object.entries(input).map(([k, v]) => `  ${k}: ${one(v)}`).join('\n');
}
