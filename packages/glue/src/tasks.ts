import { UnknownTaskError } from './errors.js';

/** The nine GLUE tasks, by the names HF `datasets` and `evaluate` use. */
export const GLUE_TASK_NAMES = ['cola', 'sst2', 'mrpc', 'qqp', 'stsb', 'mnli', 'qnli', 'rte', 'wnli'] as const;
export type GlueTaskName = (typeof GLUE_TASK_NAMES)[number];

/** The embedded synthetic tasks (see synthetic.ts): no download needed. */
export const SYNTHETIC_TASK_NAMES = ['synthetic', 'synthetic-pair'] as const;
export type SyntheticTaskName = (typeof SYNTHETIC_TASK_NAMES)[number];

export type TaskName = GlueTaskName | SyntheticTaskName;

/** Metric keys exactly as HF `evaluate.load('glue', task)` returns them. */
export type MetricName = 'matthews_correlation' | 'accuracy' | 'f1' | 'pearson' | 'spearmanr';

export interface TaskSpec {
  readonly name: TaskName;
  /** Folder name in the GLUE download layout (`glue_data/<dir>/train.tsv`); the synthetic tasks have none. */
  readonly glueDir: string | null;
  /** HF field names of the text columns: one for single-sentence tasks, two for pair tasks. */
  readonly textFields: readonly [string] | readonly [string, string];
  readonly kind: 'classification' | 'regression';
  /** Label names in id order (empty for regression). */
  readonly labelNames: readonly string[];
  /** Metric keys; with more than one, `combined_score` (their mean) is added. */
  readonly metrics: readonly MetricName[];
  /**
   * The metric papers report for the task, and the one runs rank epochs by unless told otherwise:
   * the EDoRA paper's (CoLA Matthews correlation, STS-B Pearson, accuracy for every other task,
   * MRPC and QQP included), not HF run_glue's `combined_score`. Each task lists it first in `metrics`.
   */
  readonly mainMetric: MetricName;
  /** HF split names this task has. */
  readonly splits: readonly string[];
  /** Validation splits evaluated (MNLI has two). */
  readonly validationSplits: readonly string[];
  /** The validation split whose score papers report (MNLI: matched). */
  readonly reportedSplit: string;
  /** Official row counts per split (HF `glue` dataset); for the synthetic tasks, the default sizes. */
  readonly sizes: Readonly<Record<string, number>>;
}

const split3 = ['train', 'validation', 'test'] as const;
const v = ['validation'] as const;

function spec(s: Omit<TaskSpec, 'splits' | 'validationSplits' | 'reportedSplit' | 'mainMetric'> & Partial<TaskSpec>): TaskSpec {
  return Object.freeze({ splits: split3, validationSplits: v, reportedSplit: 'validation', mainMetric: s.metrics[0]!, ...s });
}

const REGISTRY: Readonly<Record<TaskName, TaskSpec>> = Object.freeze({
  cola: spec({
    name: 'cola', glueDir: 'CoLA', textFields: ['sentence'], kind: 'classification',
    labelNames: ['unacceptable', 'acceptable'], metrics: ['matthews_correlation'],
    sizes: { train: 8551, validation: 1043, test: 1063 },
  }),
  sst2: spec({
    name: 'sst2', glueDir: 'SST-2', textFields: ['sentence'], kind: 'classification',
    labelNames: ['negative', 'positive'], metrics: ['accuracy'],
    sizes: { train: 67349, validation: 872, test: 1821 },
  }),
  mrpc: spec({
    name: 'mrpc', glueDir: 'MRPC', textFields: ['sentence1', 'sentence2'], kind: 'classification',
    labelNames: ['not_equivalent', 'equivalent'], metrics: ['accuracy', 'f1'],
    sizes: { train: 3668, validation: 408, test: 1725 },
  }),
  qqp: spec({
    name: 'qqp', glueDir: 'QQP', textFields: ['question1', 'question2'], kind: 'classification',
    labelNames: ['not_duplicate', 'duplicate'], metrics: ['accuracy', 'f1'],
    sizes: { train: 363846, validation: 40430, test: 390965 },
  }),
  stsb: spec({
    name: 'stsb', glueDir: 'STS-B', textFields: ['sentence1', 'sentence2'], kind: 'regression',
    labelNames: [], metrics: ['pearson', 'spearmanr'],
    sizes: { train: 5749, validation: 1500, test: 1379 },
  }),
  mnli: spec({
    name: 'mnli', glueDir: 'MNLI', textFields: ['premise', 'hypothesis'], kind: 'classification',
    labelNames: ['entailment', 'neutral', 'contradiction'], metrics: ['accuracy'],
    splits: ['train', 'validation_matched', 'validation_mismatched', 'test_matched', 'test_mismatched'],
    validationSplits: ['validation_matched', 'validation_mismatched'],
    reportedSplit: 'validation_matched',
    sizes: {
      train: 392702, validation_matched: 9815, validation_mismatched: 9832,
      test_matched: 9796, test_mismatched: 9847,
    },
  }),
  qnli: spec({
    name: 'qnli', glueDir: 'QNLI', textFields: ['question', 'sentence'], kind: 'classification',
    labelNames: ['entailment', 'not_entailment'], metrics: ['accuracy'],
    sizes: { train: 104743, validation: 5463, test: 5463 },
  }),
  rte: spec({
    name: 'rte', glueDir: 'RTE', textFields: ['sentence1', 'sentence2'], kind: 'classification',
    labelNames: ['entailment', 'not_entailment'], metrics: ['accuracy'],
    sizes: { train: 2490, validation: 277, test: 3000 },
  }),
  wnli: spec({
    name: 'wnli', glueDir: 'WNLI', textFields: ['sentence1', 'sentence2'], kind: 'classification',
    labelNames: ['not_entailment', 'entailment'], metrics: ['accuracy'],
    sizes: { train: 635, validation: 71, test: 146 },
  }),
  synthetic: spec({
    name: 'synthetic', glueDir: null, textFields: ['sentence'], kind: 'classification',
    labelNames: ['implausible', 'plausible'], metrics: ['accuracy'],
    sizes: { train: 4000, validation: 500, test: 500 },
  }),
  'synthetic-pair': spec({
    name: 'synthetic-pair', glueDir: null, textFields: ['sentence1', 'sentence2'], kind: 'classification',
    labelNames: ['not_entailment', 'entailment'], metrics: ['accuracy'],
    sizes: { train: 4000, validation: 500, test: 500 },
  }),
});

/** All registered task names (the nine GLUE tasks, then the synthetic ones). */
export const TASK_NAMES: readonly TaskName[] = [...GLUE_TASK_NAMES, ...SYNTHETIC_TASK_NAMES];

/**
 * HF's GLUE configs that are views of a task rather than tasks: `load_dataset('glue',
 * 'mnli_matched')` holds MNLI's matched validation and test sets as `validation` and `test`, and
 * `evaluate.load('glue', 'mnli_matched')` scores them as MNLI. `getTask` and the metrics take these
 * names and answer with the task's spec; `hfGlueConfigSplit` maps the config's split names to ours.
 */
export const HF_GLUE_CONFIG_ALIASES: Readonly<Record<string, { task: GlueTaskName; splits: Readonly<Record<string, string>> }>> = Object.freeze({
  mnli_matched: { task: 'mnli', splits: { validation: 'validation_matched', test: 'test_matched' } },
  mnli_mismatched: { task: 'mnli', splits: { validation: 'validation_mismatched', test: 'test_mismatched' } },
});

export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(REGISTRY, name);
}

/**
 * The task's spec; HF's config names `mnli_matched` and `mnli_mismatched` give MNLI's. An unknown
 * name throws `UnknownTaskError` listing the valid names.
 */
export function getTask(name: string): TaskSpec {
  if (isTaskName(name)) return REGISTRY[name];
  if (Object.hasOwn(HF_GLUE_CONFIG_ALIASES, name)) return REGISTRY[HF_GLUE_CONFIG_ALIASES[name]!.task];
  throw new UnknownTaskError(
    `unknown task ${JSON.stringify(name)}; expected one of ${TASK_NAMES.join(', ')} (or HF's ${Object.keys(HF_GLUE_CONFIG_ALIASES).join(', ')})`,
  );
}

/**
 * A split of an HF GLUE config in our names: (`mnli_matched`, `validation`) → (`mnli`,
 * `validation_matched`); a task's own name and splits pass through. Throws `UnknownTaskError`
 * listing the config's splits when it has no such split.
 */
export function hfGlueConfigSplit(config: string, split: string): { task: TaskName; split: string } {
  const alias = Object.hasOwn(HF_GLUE_CONFIG_ALIASES, config) ? HF_GLUE_CONFIG_ALIASES[config]! : undefined;
  if (!alias) {
    const spec = getTask(config);
    checkSplit(spec, split);
    return { task: spec.name, split };
  }
  const ours = Object.hasOwn(alias.splits, split) ? alias.splits[split] : undefined;
  if (ours === undefined) {
    throw new UnknownTaskError(`HF config ${config} has no split ${JSON.stringify(split)}; expected one of ${Object.keys(alias.splits).join(', ')}`);
  }
  return { task: alias.task, split: ours };
}

/** Checks that `split` belongs to the task; throws `UnknownTaskError` listing the task's splits. */
export function checkSplit(task: TaskSpec, split: string): void {
  if (!task.splits.includes(split)) {
    throw new UnknownTaskError(
      `task ${task.name} has no split ${JSON.stringify(split)}; expected one of ${task.splits.join(', ')}`,
    );
  }
}

/** One example, GLUE-shaped: `idx` is its 0-based position in the split, `label` is null when unlabelled. */
export interface GlueExample {
  idx: number;
  textA: string;
  textB?: string;
  /** Class id for classification, a float for regression, null for test files without labels. */
  label: number | null;
}
