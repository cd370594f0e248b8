import { join } from 'node:path';
import type { CommandSpec, Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import { Progress, table } from '../progress.js';
import { runTraining, type RunSummary } from '../run.js';
import type { Method } from '../setup.js';
import type { Io } from '../io.js';
import { runConfigFrom, RUN_OPTIONS, summaryJson } from '../run-options.js';

/**
 * The embedded default: the `tiny` preset (random weights, byte-level tokenizer) on the embedded
 * synthetic task, trained with EDoRA, DoRA and LoRA. Sized to finish in under 2 minutes on 2 CPU
 * cores (see the README for the measured time); it shows the workflow, not paper numbers.
 */
export const DEMO: CommandSpec = {
  name: 'demo',
  summary: 'Train EDoRA, DoRA and LoRA on the embedded synthetic task with the tiny preset and print a comparison table. Needs no data or downloads.',
  options: {
    ...RUN_OPTIONS,
    task: { ...RUN_OPTIONS.task!, choices: ['synthetic', 'synthetic-pair'], default: 'synthetic' },
    epochs: { ...RUN_OPTIONS.epochs!, default: 2 },
    'batch-size': { ...RUN_OPTIONS['batch-size']!, default: 32 },
    'max-seq-length': { ...RUN_OPTIONS['max-seq-length']!, default: 64 },
    padding: { ...RUN_OPTIONS.padding!, default: 'longest' },
    method: { type: 'string', choices: ['edora', 'dora', 'lora', 'lora-xs', 'full'], help: 'train only this method (instead of --methods)' },
    methods: { type: 'list', choices: ['edora', 'dora', 'lora', 'lora-xs', 'full'], default: ['edora', 'dora', 'lora'], help: 'methods to compare' },
    rank: { type: 'int', default: 8, help: 'adapter rank r' },
    lr: { type: 'number', default: 1e-2, help: 'adapter learning rate' },
    'cls-lr': { type: 'number', default: 1e-2, help: 'head learning rate' },
    seed: { type: 'int', default: 1, help: 'seed' },
    'train-size': { type: 'int', default: 384, help: 'synthetic training examples' },
    'validation-size': { type: 'int', default: 192, help: 'synthetic validation examples' },
    'output-dir': { type: 'string', default: join('runs', 'demo'), placeholder: 'dir', help: 'one sub-folder per method' },
  },
};

export async function runDemo(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  await selectBackend(v.backend as string);
  const methods = (v.method ? [v.method] : v.methods) as Method[];
  const progress = new Progress(io.stderr, !v.json);
  const summaries: RunSummary[] = [];
  const started = Date.now();
  for (const method of methods) {
    const config = {
      ...runConfigFrom(v, method, v.rank as number, v.lr as number, v.clsLr as number, v.seed as number),
      syntheticTrain: v.trainSize as number,
      syntheticValidation: v.validationSize as number,
    };
    const outputDir = join(v.outputDir as string, method);
    summaries.push(await runTraining(config, { outputDir, resume: false, checkpointEvery: 0, progress }));
  }
  const total = (Date.now() - started) / 1000;
  if (v.json) {
    io.stdout.write(JSON.stringify({ seconds: total, runs: summaries.map(summaryJson) }) + '\n');
    return 0;
  }
  const metric = summaries[0]?.results.mainMetric ?? 'accuracy';
  io.stdout.write('\n' + table(
    ['method', 'trainable params', `${metric} (last)`, `${metric} (best)`, 'time'],
    summaries.map((s) => [
      s.config.method, s.trainable.toLocaleString('en-US'),
      s.results.last?.metrics[metric]?.toFixed(4) ?? '-', s.results.best?.metrics[metric]?.toFixed(4) ?? '-', `${s.seconds.toFixed(1)} s`,
    ]),
  ));
  io.stdout.write(`\n${summaries[0]?.dataSource}, ${summaries[0]?.modelSource}; ${total.toFixed(1)} s in all. Results and plots in ${v.outputDir as string}/<method>/\n`);
  return 0;
}
