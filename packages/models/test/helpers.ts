import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensorsFile } from '@edora/tensor/node';

const here = dirname(fileURLToPath(import.meta.url));

/** The committed tiny-RoBERTa fixtures (see scripts/make-roberta-golden.py). */
export const FIXTURE_DIR = resolve(here, 'fixtures/tiny-roberta');
export const fixture = (name: string): string => resolve(FIXTURE_DIR, name);

/** The shared data folder next to the repository (never copied into it). */
export const SHARED_DATA = resolve(here, '../../../../shared/data');
export const SHARED_TINY_MLM = resolve(SHARED_DATA, 'models/tiny-roberta-mlm');
export const sharedTinyMlmExists = existsSync(resolve(SHARED_TINY_MLM, 'model.safetensors'));

export interface Golden {
  data: Float64Array | Float32Array | Int32Array;
  shape: number[];
}

export async function readGolden(): Promise<Map<string, Golden>> {
  const file = await readSafetensorsFile(fixture('golden.safetensors'));
  return new Map([...file].map(([k, v]) => [k, { data: v.data, shape: v.shape }]));
}

/** max |a − b| / max |b|: the error relative to the reference tensor's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/** The largest elementwise |a − b| / (|b| + floor), for a per-element view of the same match. */
export function elementwiseRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + floor));
  return worst;
}
