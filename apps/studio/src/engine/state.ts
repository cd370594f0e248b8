import type { DemoBaseSettings } from '@edora/demo';
import { decodeCheckpoint } from '@edora/train';
import { FormatError } from '@edora/tensor';
import type { TrainSettings } from './settings.js';
import { textOf, unzipFolder, zipFolder } from './zip.js';

/** Where a run's base came from, as a saved state records it. */
export type ModelOrigin = { kind: 'demo'; settings: DemoBaseSettings } | { kind: 'folder'; name: string; parameters: number };

/** Where a run's data came from: the synthetic task is rebuilt from its settings, files must be given again. */
export type DataOrigin =
  | { kind: 'synthetic'; task: 'synthetic' | 'synthetic-pair'; trainSize: number; validationSize: number }
  | { kind: 'files'; task: string; train: string; validation: string | null };

/** `studio-state.json`: everything but the tensors. */
export interface StateRecord {
  format: 1;
  settings: TrainSettings;
  model: ModelOrigin;
  data: DataOrigin;
  runKey: string;
  step: number;
  totalSteps: number;
}

export const STATE_FILE = 'studio-state.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** The demo base rides along in a state (it is small), so a resume trains on the very same weights. */
export const BASE_DIR = 'base/';

/**
 * The run key: what a checkpoint must have been written by to resume (fit refuses another). The
 * settings, the base and the data, with keys in a fixed order.
 */
export function runKeyOf(settings: TrainSettings, model: ModelOrigin, data: DataOrigin): string {
  const sorted = (o: object): object => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ settings: sorted(settings), model: sorted(model), data: sorted(data) });
}

/** A zip of the state: `studio-state.json`, fit's checkpoint, and the demo base when that is the model. */
export function stateZip(record: Omit<StateRecord, 'format' | 'step' | 'totalSteps'>, checkpoint: Uint8Array, base: ReadonlyMap<string, Uint8Array> | null): Uint8Array {
  const meta = decodeCheckpoint(checkpoint).meta;
  const full: StateRecord = { format: 1, ...record, step: meta.step, totalSteps: meta.totalSteps };
  const files = new Map<string, Uint8Array | string>([[STATE_FILE, JSON.stringify(full, null, 2) + '\n'], [CHECKPOINT_FILE, checkpoint]]);
  for (const [name, data] of base ?? []) files.set(BASE_DIR + name, data);
  return zipFolder('edora-studio-state', files);
}

export interface SavedState {
  record: StateRecord;
  checkpoint: Uint8Array;
  /** The demo base's files, when the state holds them. */
  base: Map<string, Uint8Array> | null;
}

/** Reads a state zip; anything that is not one is a `FormatError` naming `source` and what was missing. */
export function readStateZip(bytes: Uint8Array, source: string): SavedState {
  let files: Map<string, Uint8Array>;
  try {
    files = unzipFolder(bytes);
  } catch (cause) {
    throw new FormatError(`${source}: expected a studio state (.zip); found no readable zip (${(cause as Error).message})`, { cause });
  }
  const recordBytes = files.get(STATE_FILE);
  const checkpoint = files.get(CHECKPOINT_FILE);
  if (!recordBytes || !checkpoint) {
    throw new FormatError(`${source}: expected ${STATE_FILE} and ${CHECKPOINT_FILE} in the zip; found ${[...files.keys()].join(', ') || 'nothing'}`);
  }
  const record = JSON.parse(textOf(recordBytes)) as StateRecord;
  if (record.format !== 1) throw new FormatError(`${source}: ${STATE_FILE}: expected format 1; found ${JSON.stringify(record.format)}`);
  const baseEntries = [...files].filter(([name]) => name.startsWith(BASE_DIR)).map(([name, data]) => [name.slice(BASE_DIR.length), data] as const);
  return { record, checkpoint, base: baseEntries.length > 0 ? new Map(baseEntries) : null };
}
