/**
 * @edora/train/node — the file side of training: a run directory with atomic checkpoints, JSONL
 * logs, the results JSON and the plot. Everything else in @edora/train is browser-safe.
 */
import { execFile } from 'node:child_process';
import { appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckpointMeta } from './checkpoint.js';
import type { EpochRecord, StepRecord, TrainSink } from './loop.js';
import { plotSvg, type PlotSteps } from './plot.js';
import type { RunResults } from './results.js';
import { CheckpointError } from './errors.js';
import { makeWritableFolder, writingFile } from './run-folder.js';

export {
  LOCK_FILE, fileWriteErrorOf, isProcessAlive, lockRunFolder, makeWritableFolder, removeStaleTempFiles, writingFile,
  type LockOwner, type RunFolderLock,
} from './run-folder.js';

/**
 * Writes a file so that readers see the old or the new contents, never a partial one (temp file +
 * rename). A failure (a full disk) is a `FileWriteError` naming `path`, and removes the temp file.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writingFile(path, async () => {
    try {
      await writeFile(tmp, data);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await rename(tmp, path);
  });
}

/** File names inside a run directory. */
export const RUN_FILES = {
  checkpoint: 'checkpoint.safetensors',
  steps: 'steps.jsonl',
  epochs: 'epochs.jsonl',
  results: 'results.json',
  plotSvg: 'plot.svg',
  plotPng: 'plot.png',
} as const;

/** The checkpoint of a run directory, or null when it has none yet. */
export async function readRunCheckpoint(dir: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(join(dir, RUN_FILES.checkpoint)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Keeps the JSONL lines a checkpoint covers: those logged after it are replayed by the resumed run.
 * A torn last line (a crash or a full disk mid-append) is dropped; an unreadable line before the
 * last is a `CheckpointError` naming file and line, since appends never leave one there.
 */
async function truncateLog(path: string, keep: (record: { step: number }) => boolean): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n');
  const kept: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let record: { step: number };
    try {
      record = JSON.parse(line) as { step: number };
    } catch {
      if (!lines.slice(i + 1).some((l) => l.trim() !== '')) break; // the torn tail
      throw new CheckpointError(`${path}:${i + 1}: expected one JSON record per line; found ${JSON.stringify(line.slice(0, 60))} before the last line`);
    }
    if (keep(record)) kept.push(line);
  }
  await writeFileAtomic(path, kept.map((l) => l + '\n').join(''));
}

/**
 * A `TrainSink` writing into `dir`: `steps.jsonl` (one line per optimizer step), `epochs.jsonl`,
 * and `checkpoint.safetensors` replaced atomically. When resuming from `resumedFrom`, log lines
 * newer than that checkpoint are dropped first, so the logs read as one uninterrupted run.
 */
export async function runDirectorySink(dir: string, resumedFrom?: CheckpointMeta): Promise<TrainSink> {
  await makeWritableFolder(dir);
  const stepsPath = join(dir, RUN_FILES.steps);
  const epochsPath = join(dir, RUN_FILES.epochs);
  if (resumedFrom) {
    await truncateLog(stepsPath, (r) => r.step <= resumedFrom.step);
    await truncateLog(epochsPath, (r) => r.step <= resumedFrom.step);
  } else {
    await rm(stepsPath, { force: true });
    await rm(epochsPath, { force: true });
  }
  return {
    async log(record: StepRecord | EpochRecord) {
      const path = record.type === 'step' ? stepsPath : epochsPath;
      await writingFile(path, () => appendFile(path, JSON.stringify(record) + '\n'), 'append to');
    },
    async checkpoint(bytes: Uint8Array) {
      await writeFileAtomic(join(dir, RUN_FILES.checkpoint), bytes);
    },
  };
}

/** Renders an SVG to PNG with ImageMagick when `convert` is installed; false when no renderer is available. */
export async function renderPng(svgPath: string, pngPath: string): Promise<boolean> {
  try {
    await promisify(execFile)('convert', [svgPath, pngPath], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** The per-step losses of `steps.jsonl` for the plot (undefined when there is none), skipping unreadable lines. */
async function stepLosses(dir: string): Promise<PlotSteps | undefined> {
  const text = await readFile(join(dir, RUN_FILES.steps), 'utf8').catch(() => null);
  if (text === null) return undefined;
  const records: { step: number; loss: number; batch: number; batches: number; epoch: number }[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line.trim()) records.push(JSON.parse(line) as (typeof records)[number]);
    } catch {
      // a torn line is not worth failing the plot for
    }
  }
  const last = records.at(-1);
  if (!last) return undefined;
  // steps per epoch from the records themselves (accumulation folds batches into steps)
  const firstEpoch = records.filter((r) => r.epoch === records[0]!.epoch);
  const stepsPerEpoch = records.length > firstEpoch.length || firstEpoch.at(-1)!.batch === firstEpoch.at(-1)!.batches ? firstEpoch.length : last.step / (last.epoch - 1 + last.batch / last.batches);
  return { losses: records.map((r) => ({ step: r.step, loss: r.loss })), stepsPerEpoch };
}

/**
 * Writes `results.json` (with `extra`, e.g. the run's configuration) and the plot of loss and
 * metric per epoch next to it: `plot.svg`, and `plot.png` where a renderer is available.
 * Returns the paths written.
 */
export async function writeRunResults(dir: string, results: RunResults, title: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  await makeWritableFolder(dir);
  const written = [join(dir, RUN_FILES.results), join(dir, RUN_FILES.plotSvg)];
  await writeFileAtomic(written[0]!, JSON.stringify({ ...extra, ...results }, null, 2) + '\n');
  await writeFileAtomic(written[1]!, plotSvg(results.epochs, results.mainMetric, title, results.reportedSplit, await stepLosses(dir)));
  if (await renderPng(written[1]!, join(dir, RUN_FILES.plotPng))) written.push(join(dir, RUN_FILES.plotPng));
  return written;
}
