import { join } from 'node:path';
import { AX_SPLIT, glueSubmission, submissionSplits, submissionTargetOf, writeSubmissionFiles, type MalformedRows } from '@edora/glue/node';
import { mergeAndUnload } from '@edora/layers';
import { isRobertaPreset } from '@edora/models';
import { saveModel } from '@edora/models/node';
import { TASK_NAMES } from '@edora/glue';
import { evaluate, evaluateValidation, validationSplits } from '@edora/train';
import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import { loadSubmissionSplit, loadValidation, tokenize, tokenizeSplits, type DataOptions } from '../data.js';
import type { Io } from '../io.js';
import { metricsText } from '../progress.js';
import { BACKEND_OPTION } from '../run-options.js';
import type { RunConfig } from '../run.js';
import { loadModelFolder, loadTrainedRun, type TrainedRun } from '../trained-run.js';
import { completeModelFolder } from '../model-folder.js';

const RUN = { type: 'string', placeholder: 'dir', help: 'output directory of an edora train run' } as const;
/** Options of every command that loads a trained run. */
const RUN_MODEL_OPTIONS = {
  run: RUN,
  'best-epoch': { type: 'boolean', default: false, help: 'use the best evaluation\'s trained tensors (the run\'s best/) instead of the ones at the top of the run folder (the last evaluation\'s unless it was trained with --load-best-at-end)' },
} as const;
/** eval and predict: a run, or any model folder with a classification head (a merged run included). */
const EVAL_MODEL_OPTIONS = {
  ...RUN_MODEL_OPTIONS,
  model: { type: 'string', placeholder: 'folder', help: 'with --run: the base model folder, when the recorded one is not found from here; without --run: a model folder with a classification head (e.g. from edora merge) to evaluate, with --task' },
  task: { type: 'string', choices: TASK_NAMES, placeholder: 'task', help: 'the task of a --model folder (without --run)' },
  'max-seq-length': { type: 'int', default: 128, min: 3, help: 'truncate examples to this many tokens (a --model folder; a run uses its own)' },
  'max-eval-samples': { type: 'int', min: 1, placeholder: 'n', help: 'use only the first n examples of each split' },
} as const;

export const EVAL: CommandSpec = {
  name: 'eval',
  summary: 'Evaluate a trained run on its validation splits (MNLI: matched and mismatched; or another --data-dir) and print the metrics.',
  options: { ...EVAL_MODEL_OPTIONS, 'data-dir': { type: 'string', placeholder: 'dir', help: 'GLUE data folder (default: the run\'s)' }, 'validation-file': { type: 'string', placeholder: 'file', help: 'a validation file instead (with --model)' }, 'batch-size': { type: 'int', default: 64, min: 1, help: 'batch size' }, backend: BACKEND_OPTION },
};

export const PREDICT: CommandSpec = {
  name: 'predict',
  summary: 'Predict the test split(s) of a trained run\'s task (or, with an MNLI run, the AX diagnostic set) and write the GLUE submission TSVs.',
  options: {
    ...EVAL_MODEL_OPTIONS,
    split: { type: 'list', placeholder: 'split,...', help: 'splits to predict: the task\'s test splits (default: all of them, MNLI: test_matched,test_mismatched), or ax (the GLUE diagnostic set, with an MNLI run)' },
    'data-dir': { type: 'string', placeholder: 'dir', help: 'GLUE data folder holding the test split (default: the run\'s)' },
    'output-dir': { type: 'string', placeholder: 'dir', help: 'where the submission file goes (default: <run>/submission)' },
    'batch-size': { type: 'int', default: 64, min: 1, help: 'batch size' },
    backend: BACKEND_OPTION,
  },
};

export const MERGE: CommandSpec = {
  name: 'merge',
  summary: 'Merge a trained run\'s adapter into the base weights and save a plain RoBERTa (config.json + model.safetensors).',
  options: {
    ...RUN_MODEL_OPTIONS,
    model: { type: 'string', placeholder: 'folder', help: 'the base model folder, when the recorded one is not found from here' },
    'output-dir': { type: 'string', placeholder: 'dir', help: 'folder for the merged model (default: <run>/merged)' },
    backend: BACKEND_OPTION,
  },
};

function runDir(p: Parsed): string {
  const run = p.values.run as string | undefined;
  if (!run) throw new UsageError('--run <dir> is required: the output directory of an edora train run');
  return run;
}

/** The model eval and predict score: a run's (`--run`, optionally `--model` for its base), or a plain `--model` folder for `--task`. */
async function modelToScore(p: Parsed): Promise<TrainedRun & { dir: string | null }> {
  const v = p.values;
  if (v.run !== undefined) return { ...(await loadTrainedRun(v.run as string, { model: v.model as string | undefined, best: v.bestEpoch as boolean })), dir: v.run as string };
  if (v.model === undefined) throw new UsageError('give --run <dir> (an edora train run) or --model <folder> with --task (a model folder with a classification head, e.g. from edora merge)');
  if (v.task === undefined) throw new UsageError(`--model ${v.model as string}: give the task it was fine-tuned for with --task; valid choices: ${TASK_NAMES.join(', ')}`);
  return { ...(await loadModelFolder(v.model as string, v.task as string, v.maxSeqLength as number)), dir: null };
}

/** The run's data options, with `--data-dir` (when given) replacing the run's data, and skipped rows reported on stderr. */
function dataOf(config: RunConfig, p: Parsed, io: Io): DataOptions {
  const dataDir = p.values.dataDir as string | undefined;
  const validationFile = p.values.validationFile as string | undefined;
  const maxEvalSamples = p.values.maxEvalSamples as number | undefined;
  const report = (rows: MalformedRows): void => void io.stderr.write(`${rows.summary()}\n`);
  const data = dataDir ? { dataDir, trainFile: undefined, validationFile: undefined } : validationFile ? { dataDir: undefined, trainFile: validationFile, validationFile } : {};
  return { ...config, ...data, ...(maxEvalSamples === undefined ? {} : { maxEvalSamples }), onSkipped: report };
}

export async function evalCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const { config, spec, built } = await modelToScore(p);
  const data = tokenizeSplits(await loadValidation(dataOf(config, p, io)), built.tokenizer, spec, config.maxSeqLength);
  const splits = validationSplits(data, spec.name);
  const { evaluations } = await evaluateValidation(built.classifier, spec.name, splits, p.values.batchSize as number);
  const line = (name: string): { examples: number; loss: number; metrics: Record<string, number> } => {
    const ev = evaluations[name]!;
    return { examples: ev.predictions.length, loss: ev.loss, metrics: ev.metrics };
  };
  if (p.values.json) {
    // the reported split on top, as before; with several (MNLI) every split under `splits`
    const several = splits.splits.length > 1 ? { reportedSplit: splits.reported, splits: Object.fromEntries(splits.splits.map(([name]) => [name, line(name)])) } : {};
    io.stdout.write(JSON.stringify({ task: spec.name, ...line(splits.reported), ...several }) + '\n');
  } else {
    for (const [name] of splits.splits) {
      const { examples, loss, metrics } = line(name);
      io.stdout.write(`${spec.name} ${name} (${examples} examples): loss ${loss.toFixed(4)}, ${metricsText(metrics, ', ')}\n`);
    }
  }
  return 0;
}

export async function predictCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const { config, spec, built, dir } = await modelToScore(p);
  if (spec.glueDir === null) {
    throw new UsageError(`predict: GLUE submission files exist for the GLUE tasks only; ${spec.name} is synthetic (use edora eval)`);
  }
  const data = dataOf(config, p, io);
  if (!data.dataDir) throw new UsageError('predict: give --data-dir holding the task\'s test split');
  const valid = submissionSplits(spec.name);
  const requested = (p.values.split as string[] | undefined) ?? valid.filter((s) => s !== AX_SPLIT);
  for (const split of requested) {
    if (!valid.includes(split)) throw new UsageError(`--split: ${spec.name} has no submission file for ${JSON.stringify(split)}; valid choices: ${valid.join(', ')}`);
  }
  const predicted: { fileName: string; contents: string; rows: number }[] = [];
  for (const split of requested) {
    const rows = await loadSubmissionSplit({ ...data, dataDir: data.dataDir }, split);
    const ds = tokenize(data.maxEvalSamples === undefined ? rows : rows.slice(0, data.maxEvalSamples), built.tokenizer, spec, config.maxSeqLength);
    const ev = await evaluate(built.classifier, spec.name, ds, p.values.batchSize as number);
    predicted.push({ ...glueSubmission(submissionTargetOf(spec.name, split), ev.idx, ev.predictions, { checkSize: false }), rows: ds.size });
  }
  const out = (p.values.outputDir as string | undefined) ?? (dir === null ? 'submission' : join(dir, 'submission'));
  const written = await writeSubmissionFiles(out, predicted);
  const rows = predicted.reduce((n, f) => n + f.rows, 0);
  if (p.values.json) {
    const several = requested.length > 1 ? { splits: Object.fromEntries(requested.map((split, i) => [split, { file: written[i], rows: predicted[i]!.rows }])) } : {};
    io.stdout.write(JSON.stringify({ files: written, rows, ...several }) + '\n');
  } else {
    io.stdout.write(`wrote ${written.map((path, i) => `${path} (${predicted[i]!.rows} rows)`).join(', ')}\n`);
  }
  return 0;
}

export async function mergeCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const dir = runDir(p);
  const { config, spec, built } = await loadTrainedRun(dir, { model: p.values.model as string | undefined, best: p.values.bestEpoch as boolean });
  if (config.method === 'full') throw new UsageError('merge: a --method full run has no adapter to merge; its weights are the model');
  const merged = mergeAndUnload(built.model);
  const out = (p.values.outputDir as string | undefined) ?? join(dir, 'merged');
  const written = [...(await saveModel(merged, out)), ...(await completeModelFolder(out, config.model, spec))];
  if (!p.values.json && isRobertaPreset(config.model)) io.stderr.write(`edora: the base was the ${config.model} preset (byte-level tokenizer): no tokenizer files to copy\n`);
  io.stdout.write(p.values.json ? JSON.stringify({ files: written }) + '\n' : `merged ${config.method} r=${config.rank} into the base weights: ${written.join(', ')}\n`);
  return 0;
}
