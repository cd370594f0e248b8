import { NonFiniteLossError, TrainingInterruptedError, type EpochResult } from '@edora/train';
import { MAX_SEED, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import { evaluationAt, Progress, splitTexts } from '../progress.js';
import { resolvedOptions, resolvedOptionsText, runTraining } from '../run.js';
import { defaultOutputDir, runConfigFrom, RUN_OPTIONS, summaryJson } from '../run-options.js';
import { METHODS, type Method } from '../setup.js';
import type { Io } from '../io.js';

export const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'Fine-tune a RoBERTa with EDoRA, DoRA, LoRA, LoRA-XS or fully on a GLUE task, evaluating every epoch (or every --eval-steps steps). With no data and no --task it runs the embedded demo (see edora demo --help).',
  usage: 'Example: edora train --task rte --data-dir ./glue_data --model ./roberta-base --method edora --rank 16 --lr 5e-4 --cls-lr 5e-4',
  options: {
    ...RUN_OPTIONS,
    method: { type: 'string', choices: METHODS, default: 'edora', help: 'adapter method (full: every weight trains)' },
    rank: { type: 'int', default: 16, min: 1, help: 'adapter rank r' },
    lr: { type: 'number', default: 5e-4, min: 0, minExclusive: true, help: 'adapter learning rate' },
    'cls-lr': { type: 'number', default: 5e-4, min: 0, minExclusive: true, help: 'classification head learning rate' },
    seed: { type: 'int', default: 1, min: 0, max: MAX_SEED, help: 'seed of weights, adapters, data order and dropout' },
    'output-dir': { type: 'string', placeholder: 'dir', help: 'where checkpoints, logs, results and the plot go (default runs/<task>-<method>-r<rank>-seed<seed>)' },
    resume: { type: 'boolean', default: false, help: 'continue from the checkpoint in --output-dir (its settings must be this run\'s)' },
    'load-best-at-end': { type: 'boolean', default: false, help: 'the run folder\'s trained.safetensors and adapter/ (what eval, predict and merge use) are the best evaluation\'s; default: the last evaluation\'s, as the EDoRA paper reports (the best is always kept in best/)' },
    'save-total-limit': { type: 'int', min: 1, placeholder: 'n', help: 'also keep numbered checkpoints in checkpoints/, at most n (the best evaluation\'s is never removed); default: only the latest checkpoint.safetensors' },
    'dry-run': { type: 'boolean', default: false, help: 'print the resolved options and the output folder, then stop before loading anything' },
    'overwrite-output-dir': { type: 'boolean', default: false, help: 'replace the run an existing --output-dir holds (without it, a folder with files is refused)' },
  },
};

export async function trainCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  await selectBackend(v.backend as string);
  const config = runConfigFrom(v, v.method as Method, v.rank as number, v.lr as number, v.clsLr as number, v.seed as number, p.given);
  const outputDir = (v.outputDir as string | undefined) ?? defaultOutputDir(config);
  if (v.dryRun) {
    io.stdout.write(v.json ? JSON.stringify({ outputDir, config: resolvedOptions(config) }) + '\n' : `${config.task}: would train into ${outputDir} with ${resolvedOptionsText(config)}\n`);
    return 0;
  }
  const progress = new Progress(io.stderr, !v.json);
  const command = commandLine(p.argv ?? []);
  const summary = await interruptible(io, outputDir, command, (signal) =>
    runTraining(config, {
      outputDir, resume: v.resume as boolean, overwrite: v.overwriteOutputDir as boolean, checkpointEvery: v.checkpointEvery as number, progress, signal,
      command: `edora train ${command}`, loadBestAtEnd: v.loadBestAtEnd as boolean, ...(v.saveTotalLimit === undefined ? {} : { saveTotalLimit: v.saveTotalLimit as number }),
    }));
  if (summary === null) return 130;
  if (v.json) {
    io.stdout.write(JSON.stringify(summaryJson(summary)) + '\n');
  } else {
    const r = summary.results;
    const scores = (e: EpochResult | null): string => (e ? splitTexts(e, false, ', ').join('; ') : '');
    const at = (e: EpochResult | null): string => (e ? evaluationAt(e) : 'none');
    // with several validation splits (MNLI) the best evaluation is chosen on the reported one
    const by = r.reportedSplit ? `, by ${r.reportedSplit}` : '';
    io.stdout.write(`last evaluation, ${at(r.last)}: ${scores(r.last)}\nbest evaluation${by}, ${at(r.best)}: ${scores(r.best)}\n`);
    const t = summary.trainedEpoch;
    if (t) {
      const which = t.step === null ? '' : ` (step ${t.step})`;
      io.stdout.write(`trained.safetensors and adapter/ hold the ${t.from} evaluation's tensors${which}${t.from === 'last' ? ', as the paper reports; the best evaluation\'s are in best/ (--load-best-at-end puts them on top)' : ''}\n`);
    }
    const stop = r.stopped;
    if (stop?.reason === 'early-stopping') io.stdout.write(`stopped early at step ${stop.step} (epoch ${stop.epoch}): ${stop.patience} evaluations without a better ${r.mainMetric}\n`);
    io.stdout.write(`results, logs, plot and trained weights in ${outputDir}\n`);
  }
  if (summary.results.stopped?.reason === 'nonfinite-loss') {
    const { step, loss } = summary.results.stopped;
    io.stderr.write(`edora: ${new NonFiniteLossError(step, loss).message}; the last good checkpoint is kept in ${outputDir}\n`);
    return 3;
  }
  return 0;
}

/** Arguments as a shell would need them typed again (quoted where they hold anything but safe characters). */
function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs training so that Ctrl-C (SIGINT, or SIGTERM) stops it after the current step with a
 * checkpoint, then says how to resume; null when it was interrupted (exit code 130, as a shell
 * reports SIGINT). A second Ctrl-C quits at once, keeping the last checkpoint written.
 */
async function interruptible<T>(io: Io, outputDir: string, command: string, train: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.stderr.write(`edora: ${name} again: quitting without a new checkpoint; the last one in ${outputDir} is kept\n`);
      process.exit(130);
    }
    io.stderr.write(`\nedora: ${name}: stopping after this step and saving a checkpoint (${name} again quits at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await train(controller.signal);
  } catch (e) {
    if (!(e instanceof TrainingInterruptedError)) throw e;
    const resume = /(^| )--resume( |$)/.test(command) ? command : `${command} --resume`;
    const withDir = /(^| )--output-dir[ =]/.test(resume) ? resume : `${resume} --output-dir ${commandLine([outputDir])}`;
    io.stderr.write(`edora: interrupted after step ${e.step}; the checkpoint in ${outputDir} holds it. Continue with:\n  edora train ${withDir}\n`);
    return null;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
