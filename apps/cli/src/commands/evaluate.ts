import { join } from 'node:path';
import { getTask, glueSubmission, loadGlueTask, writeSubmissionFiles } from '@edora/glue/node';
import { mergeAndUnload } from '@edora/layers';
import { saveModel } from '@edora/models/node';
import { evaluate } from '@edora/train';
import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import type { Io } from '../io.js';
import { BACKEND_OPTION } from '../run-options.js';
import { tokenize } from '../setup.js';
import { loadTrainedRun } from '../trained-run.js';

const RUN = { type: 'string', placeholder: 'dir', help: 'output directory of an edora train run' } as const;

export const EVAL: CommandSpec = {
  name: 'eval',
  summary: 'Evaluate a trained run on its validation split (or another --data-dir) and print the metrics.',
  options: { run: RUN, 'data-dir': { type: 'string', placeholder: 'dir', help: 'GLUE data folder (default: the run\'s)' }, 'batch-size': { type: 'int', default: 64, help: 'batch size' }, backend: BACKEND_OPTION },
};

export const PREDICT: CommandSpec = {
  name: 'predict',
  summary: 'Predict the test split of a trained run\'s task and write the GLUE submission TSV.',
  options: {
    run: RUN,
    'data-dir': { type: 'string', placeholder: 'dir', help: 'GLUE data folder holding the test split (default: the run\'s)' },
    'output-dir': { type: 'string', placeholder: 'dir', help: 'where the submission file goes (default: <run>/submission)' },
    'batch-size': { type: 'int', default: 64, help: 'batch size' },
    backend: BACKEND_OPTION,
  },
};

export const MERGE: CommandSpec = {
  name: 'merge',
  summary: 'Merge a trained run\'s adapter into the base weights and save a plain RoBERTa (config.json + model.safetensors).',
  options: { run: RUN, 'output-dir': { type: 'string', placeholder: 'dir', help: 'folder for the merged model (default: <run>/merged)' }, backend: BACKEND_OPTION },
};

function runDir(p: Parsed): string {
  const run = p.values.run as string | undefined;
  if (!run) throw new UsageError('--run <dir> is required: the output directory of an edora train run');
  return run;
}

export async function evalCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const { config, built, splits } = await loadTrainedRun(runDir(p), { dataDir: p.values.dataDir as string | undefined });
  const ds = tokenize(splits.validation, built.tokenizer, splits.spec, config.maxSeqLength);
  const ev = await evaluate(built.classifier, splits.spec.name, ds, p.values.batchSize as number);
  if (p.values.json) io.stdout.write(JSON.stringify({ task: splits.spec.name, examples: ds.size, loss: ev.loss, metrics: ev.metrics }) + '\n');
  else io.stdout.write(`${splits.spec.name} validation (${ds.size} examples): loss ${ev.loss.toFixed(4)}, ${Object.entries(ev.metrics).map(([k, x]) => `${k} ${x.toFixed(4)}`).join(', ')}\n`);
  return 0;
}

export async function predictCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const dir = runDir(p);
  const { config, built, splits } = await loadTrainedRun(dir, { dataDir: p.values.dataDir as string | undefined });
  const spec = getTask(splits.spec.name);
  if (spec.glueDir === null) {
    throw new UsageError(`predict: GLUE submission files exist for the GLUE tasks only; ${spec.name} is synthetic (use edora eval)`);
  }
  if (!config.dataDir) throw new UsageError('predict: give --data-dir holding the task\'s test split');
  const examples = await loadGlueTask(config.dataDir, spec.name, 'test');
  const ds = tokenize(examples.map((e) => ({ ...e, label: null })), built.tokenizer, spec, config.maxSeqLength);
  const ev = await evaluate(built.classifier, spec.name, ds, p.values.batchSize as number);
  const out = (p.values.outputDir as string | undefined) ?? join(dir, 'submission');
  const file = glueSubmission(spec.name, ev.idx, ev.predictions, { checkSize: false });
  const written = await writeSubmissionFiles(out, [file]);
  io.stdout.write(p.values.json ? JSON.stringify({ files: written, rows: ds.size }) + '\n' : `wrote ${written.join(', ')} (${ds.size} rows)\n`);
  return 0;
}

export async function mergeCommand(p: Parsed, io: Io): Promise<number> {
  await selectBackend(p.values.backend as string);
  const dir = runDir(p);
  const { config, built } = await loadTrainedRun(dir);
  if (config.method === 'full') throw new UsageError('merge: a --method full run has no adapter to merge; its weights are the model');
  const merged = mergeAndUnload(built.model);
  const out = (p.values.outputDir as string | undefined) ?? join(dir, 'merged');
  const written = await saveModel(merged, out);
  io.stdout.write(p.values.json ? JSON.stringify({ files: written }) + '\n' : `merged ${config.method} r=${config.rank} into the base weights: ${written.join(', ')}\n`);
  return 0;
}
