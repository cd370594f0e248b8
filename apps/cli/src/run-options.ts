import { join } from 'node:path';
import { TASK_NAMES } from '@edora/glue';
import { EVAL_STRATEGIES, metricChoices, type EvalStrategy } from '@edora/train';
import { ROBERTA_PRESETS } from '@edora/models';
import { UsageError, type OptionSpecs, type Parsed } from './args.js';
import { AUTO_BACKEND, KNOWN_BACKENDS } from './backends.js';
import type { RunConfig, RunSummary } from './run.js';
import type { Method } from './setup.js';

/** `--backend`, for every command that computes. */
export const BACKEND_OPTION = {
  type: 'string', default: AUTO_BACKEND, placeholder: `${AUTO_BACKEND}|${KNOWN_BACKENDS.join('|')}|package`,
  help: 'compute backend; auto: wasm when @edora/backend-wasm loads, else cpu',
} as const;

/** Options shared by train, sweep and demo; defaults are the EDoRA authors' GLUE setup. */
export const RUN_OPTIONS: OptionSpecs = {
  task: { type: 'string', choices: TASK_NAMES, default: 'synthetic', help: 'GLUE task, or the embedded synthetic task' },
  'data-dir': { type: 'string', placeholder: 'dir', help: 'GLUE data folder (download-script layout, or HF parquet export)' },
  'train-file': { type: 'string', placeholder: 'file', help: 'training file (.tsv/.csv/.json/.jsonl/.parquet), with --validation-file' },
  'validation-file': { type: 'string', placeholder: 'file', help: 'validation file, with --train-file' },
  model: { type: 'string', default: 'tiny', placeholder: `folder|${ROBERTA_PRESETS.join('|')}`, help: 'HF model folder, or a preset with random weights' },
  alpha: { type: 'number', default: 16, min: 0, minExclusive: true, help: 'LoRA alpha (s = alpha / r)' },
  sigma: { type: 'number', default: 1e-5, min: 0, help: 'std of EDoRA/LoRA-XS R at init' },
  init: { type: 'string', choices: ['svd', 'random'], default: 'svd', help: 'EDoRA/LoRA-XS frozen A, B: svd (top-r singular vectors) or random (the authors\' released ablation)' },
  epochs: { type: 'int', default: 50, min: 1, help: 'epochs' },
  'batch-size': { type: 'int', default: 32, min: 1, help: 'batch size' },
  'max-seq-length': { type: 'int', default: 128, min: 3, help: 'truncate examples to this many tokens' },
  padding: { type: 'string', choices: ['max_length', 'longest'], default: 'max_length', help: 'pad batches to --max-seq-length (as the authors) or to their longest example' },
  backend: BACKEND_OPTION,
  'max-train-samples': { type: 'int', placeholder: 'n', min: 1, help: 'use only the first n training examples' },
  'max-eval-samples': { type: 'int', placeholder: 'n', min: 1, help: 'use only the first n validation examples' },
  'warmup-ratio': { type: 'number', default: 0.06, min: 0, max: 1, help: 'linear warmup over int(ratio · steps) steps' },
  'weight-decay': { type: 'number', default: 0.01, min: 0, help: 'AdamW decoupled weight decay (every group)' },
  'max-grad-norm': { type: 'number', default: 1, min: 0, help: 'gradient-norm clipping (0 disables)' },
  'gradient-accumulation': { type: 'int', default: 1, min: 1, help: 'batches per optimizer step' },
  'micro-batch-size': { type: 'int', min: 1, placeholder: 'n', help: 'rows per forward/backward pass: each batch runs as micro-batches of n rows whose gradients add up to the batch\'s (same steps, less memory); default: whole batches, halved with a note when the backend runs out of memory' },
  'checkpoint-every': { type: 'int', default: 0, min: 0, help: 'also checkpoint every n optimizer steps (0: after each epoch and each evaluation only)' },
  'eval-strategy': { type: 'string', choices: EVAL_STRATEGIES, default: 'epoch', help: 'when the validation split is evaluated (HF eval_strategy): after every epoch (the authors\'), every --eval-steps optimizer steps, or no (not during training); the last step is always evaluated, and every evaluation is checkpointed' },
  'eval-steps': { type: 'int', min: 1, placeholder: 'n', help: 'with --eval-strategy steps (and only with it): evaluate every n optimizer steps, counted across epochs (with --gradient-accumulation, optimizer steps, not batches)' },
  'metric-for-best': { type: 'string', placeholder: 'metric', help: 'what ranks evaluations and is reported: one of the task\'s metrics, combined_score (tasks with several) or loss (default: the paper\'s: matthews_correlation for CoLA, pearson for STS-B, accuracy for the others)' },
  'max-steps': { type: 'int', min: 1, placeholder: 'n', help: 'train exactly n optimizer steps, overriding --epochs (HF max_steps); the last one is evaluated' },
  'warmup-steps': { type: 'int', min: 0, placeholder: 'n', help: 'linear warmup over n steps instead of --warmup-ratio (give one of them)' },
  'target-modules': { type: 'list', placeholder: 'name,...', help: 'modules that get adapters, matched as PEFT matches target_modules (default: query,value,attention.output.dense,output.dense, the EDoRA setup)' },
  'lora-dropout': { type: 'number', min: 0, max: 1, placeholder: 'p', help: 'dropout on each adapter\'s input (PEFT lora_dropout) (default 0, the EDoRA setup)' },
  'early-stopping-patience': { type: 'int', min: 1, placeholder: 'n', help: 'stop after n evaluations without a better --metric-for-best (the schedule still spans --epochs, as in HF; not with --eval-strategy no); default: never' },
  'skip-malformed': { type: 'boolean', default: false, help: 'skip malformed data rows, reporting how many and the first file:line reasons (default: the first one is an error)' },
};

/** `--metric-for-best`, checked against the task's choices (usage error listing them). */
function metricForBestOf(v: Parsed['values']): string | undefined {
  const metric = v.metricForBest as string | undefined;
  if (metric === undefined) return undefined;
  const choices = metricChoices(v.task as string);
  if (!choices.includes(metric)) throw new UsageError(`--metric-for-best: task ${v.task as string} has no metric ${JSON.stringify(metric)}; valid choices: ${choices.join(', ')}`);
  return metric;
}

/**
 * `--eval-strategy` and `--eval-steps`, checked together (as fit checks them, but naming the
 * options): steps needs --eval-steps, which nothing else takes; early stopping needs evaluations
 * during training, which `no` has none of. The default, epoch, is left out of the run key.
 */
function evalScheduleOf(v: Parsed['values']): Pick<RunConfig, 'evalStrategy' | 'evalSteps'> {
  const strategy = v.evalStrategy as EvalStrategy;
  const steps = v.evalSteps as number | undefined;
  if (strategy === 'steps' && steps === undefined) throw new UsageError('--eval-strategy steps: expected --eval-steps n (an integer ≥ 1) with it; found none');
  if (strategy !== 'steps' && steps !== undefined) throw new UsageError(`--eval-steps: only with --eval-strategy steps; found --eval-strategy ${strategy}`);
  if (strategy === 'no' && v.earlyStoppingPatience !== undefined) {
    throw new UsageError('--early-stopping-patience: counts evaluations during training, and --eval-strategy no makes none (only the final one); give --eval-strategy epoch or steps');
  }
  return strategy === 'epoch' ? {} : { evalStrategy: strategy, ...(steps === undefined ? {} : { evalSteps: steps }) };
}

export function runConfigFrom(v: Parsed['values'], method: Method, rank: number, lr: number, clsLr: number, seed: number, given?: ReadonlySet<string>): RunConfig {
  const metricForBest = metricForBestOf(v);
  const evalSchedule = evalScheduleOf(v);
  if (v.warmupSteps !== undefined && given?.has('warmupRatio')) throw new UsageError('--warmup-steps and --warmup-ratio: give one of them');
  return {
    task: v.task as string,
    dataDir: v.dataDir as string | undefined,
    trainFile: v.trainFile as string | undefined,
    validationFile: v.validationFile as string | undefined,
    model: v.model as string,
    method, rank, lr, clsLr, seed,
    alpha: v.alpha as number,
    sigma: v.sigma as number,
    init: v.init as 'svd' | 'random',
    epochs: v.epochs as number,
    batchSize: v.batchSize as number,
    maxSeqLength: v.maxSeqLength as number,
    maxTrainSamples: v.maxTrainSamples as number | undefined,
    maxEvalSamples: v.maxEvalSamples as number | undefined,
    warmupRatio: v.warmupRatio as number,
    weightDecay: v.weightDecay as number,
    maxGradNorm: v.maxGradNorm as number,
    gradientAccumulation: v.gradientAccumulation as number,
    ...(v.microBatchSize === undefined ? {} : { microBatchSize: v.microBatchSize as number }),
    padding: v.padding as 'max_length' | 'longest',
    ...(v.skipMalformed ? { skipMalformed: true as const } : {}),
    ...(metricForBest === undefined ? {} : { metricForBest }),
    ...(v.earlyStoppingPatience === undefined ? {} : { earlyStoppingPatience: v.earlyStoppingPatience as number }),
    ...evalSchedule,
    ...(v.maxSteps === undefined ? {} : { maxSteps: v.maxSteps as number }),
    ...(v.warmupSteps === undefined ? {} : { warmupSteps: v.warmupSteps as number }),
    ...(v.targetModules === undefined ? {} : { targetModules: v.targetModules as string[] }),
    ...(v.loraDropout === undefined ? {} : { loraDropout: v.loraDropout as number }),
  };
}

export function defaultOutputDir(c: RunConfig): string {
  return join('runs', `${c.task}-${c.method}-r${c.rank}-seed${c.seed}`);
}

export function summaryJson(s: RunSummary): Record<string, unknown> {
  return {
    outputDir: s.outputDir, method: s.config.method, rank: s.config.rank, trainable: s.trainable, seconds: s.seconds, backend: s.backend,
    mainMetric: s.results.mainMetric, evalStrategy: s.config.evalStrategy ?? 'epoch', ...(s.trainedEpoch ? { trainedEpoch: s.trainedEpoch } : {}), ...(s.results.reportedSplit ? { reportedSplit: s.results.reportedSplit } : {}), last: s.results.last, best: s.results.best, stopped: s.results.stopped, steps: s.results.steps,
  };
}

