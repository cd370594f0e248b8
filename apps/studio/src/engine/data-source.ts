import {
  collect, getTask, parseDataBlob, permutation, syntheticExamples,
  type GlueExample, type GlueTaskName, type SyntheticTaskName, type TaskSpec,
} from '@edora/glue';

/** The embedded synthetic task, or data files the user dropped or picked, read as a GLUE task. */
export type DataSpec =
  | { kind: 'synthetic'; task: SyntheticTaskName; trainSize: number; validationSize: number; seed: number }
  | { kind: 'files'; task: GlueTaskName; train: NamedBlob; validation?: NamedBlob; seed: number };

/** A dropped `File` (or any Blob with the name its format is told by). */
export interface NamedBlob {
  blob: Blob;
  name: string;
}

export interface LoadedData {
  spec: TaskSpec;
  train: GlueExample[];
  validation: GlueExample[];
  /** Says where the data came from, for the page and saved states. */
  source: string;
  /** True when the validation split was held out of the training file (no validation file given). */
  heldOut: boolean;
}

/** The share of a lone training file held out for validation. */
export const HELD_OUT_SHARE = 0.1;

/** Reads a dropped file as `task` (format from its name); errors are glue's, `file:line: ...`. */
async function readFile(file: NamedBlob, task: string): Promise<GlueExample[]> {
  return collect(parseDataBlob(file.blob, file.name, { task }));
}

/**
 * The splits of a run. A training file without a validation file gives up a seeded 10% as
 * validation (at least one row), so a single dropped file can be trained and scored.
 */
export async function loadData(spec: DataSpec): Promise<LoadedData> {
  const task = getTask(spec.task);
  if (spec.kind === 'synthetic') {
    return {
      spec: task,
      train: syntheticExamples(spec.task, 'train', { seed: spec.seed, size: spec.trainSize }),
      validation: syntheticExamples(spec.task, task.reportedSplit, { seed: spec.seed, size: spec.validationSize }),
      source: `the embedded ${spec.task} task`,
      heldOut: false,
    };
  }
  const rows = await readFile(spec.train, spec.task);
  if (spec.validation) {
    return { spec: task, train: rows, validation: await readFile(spec.validation, spec.task), source: `${spec.train.name}, ${spec.validation.name}`, heldOut: false };
  }
  const order = permutation(rows.length, spec.seed);
  const held = rows.length < 2 ? 0 : Math.max(1, Math.round(rows.length * HELD_OUT_SHARE));
  const validation = Array.from(order.subarray(0, held), (i) => rows[i]!);
  const train = Array.from(order.subarray(held), (i) => rows[i]!);
  return { spec: task, train, validation, source: `${spec.train.name} (${held} rows held out for validation)`, heldOut: true };
}
