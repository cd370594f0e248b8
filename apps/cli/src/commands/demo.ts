import { join } from 'node:path';
import { DEFAULT_DEMO_BASE } from '@edora/demo';
import { metricValue } from '@edora/train';
import { MAX_SEED, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import { demoBase, type DemoBase } from '../demo-base.js';
import { Progress, table } from '../progress.js';
import { runTraining, type RunSummary } from '../run.js';
import type { Method } from '../setup.js';
import type { Io } from '../io.js';
import { runConfigFrom, RUN_OPTIONS, summaryJson } from '../run-options.js';

/** Sentences the demo's base is pretrained on. */
const PRETRAIN_SENTENCES = DEFAULT_DEMO_BASE.sentences;

/**
 * The embedded default, as real fine-tuning goes: a pretrained base, then adapters on a labelled
 * task. The base is the `tiny` preset pretrained here on synthetic sentences to name their two
 * animals (@edora/demo; cached, so only the first demo pays for it); EDoRA, DoRA and LoRA
 * then learn the `synthetic` task (which animal ranks higher, never seen in pretraining) with the
 * base frozen. Without the pretraining (`--pretrain-epochs 0`) the base is random: its near-uniform
 * attention makes it nearly a bag of words, the task is at chance for a bag of words by
 * construction, and adapters learn it slowly if at all (README, "Measured"). Sized to finish in under 2 minutes on 2 CPU cores (measured in the README).
 */
export const DEMO: CommandSpec = {
  name: 'demo',
  summary: 'Pretrain a tiny RoBERTa on synthetic sentences (cached), fine-tune it with EDoRA, DoRA and LoRA on the embedded synthetic task and print a comparison table. Needs no data or downloads.',
  options: {
    ...RUN_OPTIONS,
    task: { ...RUN_OPTIONS.task!, choices: ['synthetic', 'synthetic-pair'], default: 'synthetic' },
    model: { type: 'string', placeholder: 'folder|tiny', help: 'base model instead of the demo\'s pretrained one (no pretraining then)' },
    epochs: { ...RUN_OPTIONS.epochs!, default: 6 },
    'batch-size': { ...RUN_OPTIONS['batch-size']!, default: 32 },
    'max-seq-length': { ...RUN_OPTIONS['max-seq-length']!, default: 64 },
    padding: { ...RUN_OPTIONS.padding!, default: 'longest' },
    method: { type: 'string', choices: ['edora', 'dora', 'lora', 'lora-xs', 'full'], help: 'train only this method (instead of --methods)' },
    methods: { type: 'list', choices: ['edora', 'dora', 'lora', 'lora-xs', 'full'], default: ['edora', 'dora', 'lora'], help: 'methods to compare' },
    rank: { type: 'int', default: 8, min: 1, help: 'adapter rank r' },
    lr: { type: 'number', default: 5e-3, min: 0, minExclusive: true, help: 'adapter learning rate' },
    'cls-lr': { type: 'number', default: 5e-3, min: 0, minExclusive: true, help: 'head learning rate' },
    seed: { type: 'int', default: 1, min: 0, max: MAX_SEED, help: 'seed' },
    'train-size': { type: 'int', default: 2000, min: 1, help: 'synthetic training examples' },
    'validation-size': { type: 'int', default: 192, min: 1, help: 'synthetic validation examples' },
    'pretrain-epochs': { type: 'int', default: DEFAULT_DEMO_BASE.epochs, min: 0, help: `epochs of the base's pretraining (${PRETRAIN_SENTENCES} sentences, batch ${DEFAULT_DEMO_BASE.batchSize}); 0: the tiny preset's random weights` },
    'pretrain-lr': { type: 'number', default: DEFAULT_DEMO_BASE.lr, min: 0, minExclusive: true, help: 'learning rate of the base\'s pretraining' },
    'output-dir': { type: 'string', default: join('runs', 'demo'), placeholder: 'dir', help: 'base/ (the pretrained base) and one sub-folder per method' },
  },
};

/** The base the adapters go on: `--model`, the random `tiny` preset, or the pretrained demo base. */
async function baseFor(v: Parsed['values'], progress: Progress): Promise<{ model: string; base: DemoBase | null }> {
  if (v.model !== undefined) return { model: v.model as string, base: null };
  const epochs = v.pretrainEpochs as number;
  if (epochs === 0) return { model: 'tiny', base: null };
  const dir = join(v.outputDir as string, 'base');
  const settings = { epochs, batchSize: DEFAULT_DEMO_BASE.batchSize, lr: v.pretrainLr as number, seed: v.seed as number, sentences: PRETRAIN_SENTENCES };
  const base = await demoBase(dir, settings, (epoch, loss) => {
    if (epoch === 1) progress.message(`pretraining the base: the tiny preset, all weights, names the two animals of ${PRETRAIN_SENTENCES.toLocaleString('en-US')} synthetic sentences`);
    progress.message(`  pretraining epoch ${epoch}/${epochs}: loss ${loss.toFixed(3)}`);
  });
  if (base.cached) progress.message(`base: pretrained earlier, reused from ${dir}`);
  return { model: dir, base };
}

function baseLine(model: string, base: DemoBase | null, modelSource: string): string {
  if (!base) return `base: ${modelSource}${model === 'tiny' ? ' (not pretrained: nearly a bag of words for this task, expect accuracy near chance)' : ''}`;
  const s = base.settings;
  return `base: the tiny preset (2 layers, hidden 64) pretrained ${base.cached ? 'by an earlier demo' : 'here'}, all weights, to name the two animals ` +
    `of ${s.sentences.toLocaleString('en-US')} synthetic sentences (who is first, who second; never which ranks higher) for ${s.epochs} epochs ` +
    `(loss ${base.loss.toFixed(2)}, ${base.seconds.toFixed(1)} s on ${base.backend}${base.cached ? ', not counted below' : ''}), word-level tokenizer; ` +
    'then frozen: only the adapters and the head train';
}

export async function runDemo(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  await selectBackend(v.backend as string);
  const methods = (v.method ? [v.method] : v.methods) as Method[];
  const progress = new Progress(io.stderr, !v.json);
  const started = Date.now();
  const { model, base } = await baseFor(v, progress);
  const summaries: RunSummary[] = [];
  for (const method of methods) {
    const config = {
      ...runConfigFrom({ ...v, model }, method, v.rank as number, v.lr as number, v.clsLr as number, v.seed as number),
      syntheticTrain: v.trainSize as number,
      syntheticValidation: v.validationSize as number,
    };
    const outputDir = join(v.outputDir as string, method);
    summaries.push(await runTraining(config, { outputDir, resume: false, overwrite: true, checkpointEvery: 0, progress }));
  }
  const total = (Date.now() - started) / 1000;
  const first = summaries[0];
  if (v.json) {
    io.stdout.write(JSON.stringify({ seconds: total, base: base ?? { model: first?.modelSource }, runs: summaries.map(summaryJson) }) + '\n');
    return 0;
  }
  const metric = first?.results.mainMetric ?? 'accuracy';
  io.stdout.write('\n' + table(
    ['method', 'trainable params', `${metric} (last)`, `${metric} (best)`, 'time'],
    summaries.map((s) => [
      s.config.method, s.trainable.toLocaleString('en-US'),
      s.results.last ? metricValue(s.results.last, metric).toFixed(4) : '-', s.results.best ? metricValue(s.results.best, metric).toFixed(4) : '-', `${s.seconds.toFixed(1)} s`,
    ]),
  ));
  if (first) {
    const c = first.config;
    io.stdout.write(
      `\n${baseLine(model, base, first.modelSource)}.\n` +
      `task: ${first.dataSource}, ${c.syntheticTrain} training / ${c.syntheticValidation} validation examples (a bag of words is at chance on it by construction), ` +
      `${c.epochs} epochs, r = ${c.rank}, lr ${c.lr}, batch ${c.batchSize}.\n` +
      `backend ${first.backend}; ${total.toFixed(1)} s in all. Results and plots in ${join(v.outputDir as string, '<method>')}/\n`,
    );
  }
  return 0;
}
