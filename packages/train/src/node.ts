/**
 * @edora/train/node — the file side of training: a run directory with atomic checkpoints, JSONL
 * logs, the results JSON and the plot. Everything else in @edora/train is browser-safe.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckpointMeta } from './checkpoint.js';
import type { EpochRecord, StepRecord, TrainSink } from './loop.js';
import { plotSvg } from './plot.js';
import type { RunResults } from './results.js';

/** Writes a file so that readers see the old or the new contents, never a partial one (temp file + rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
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

/** Keeps the JSONL lines a checkpoint covers: those logged after it are replayed by the resumed run. */
async function truncateLog(path: string, keep: (record: { step: number }) => boolean): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '' && keep(JSON.parse(l) as { step: number }));
  await writeFileAtomic(path, lines.map((l) => l + '\n').join(''));
}

/**
 * A `TrainSink` writing into `dir`: `steps.jsonl` (one line per optimizer step), `epochs.jsonl`,
 * and `checkpoint.safetensors` replaced atomically. When resuming from `resumedFrom`, log lines
 * newer than that checkpoint are dropped first, so the logs read as one uninterrupted run.
 */
export async function runDirectorySink(dir: string, resumedFrom?: CheckpointMeta): Promise<TrainSink> {
  await mkdir(dir, { recursive: true });
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
      await appendFile(record.type === 'step' ? stepsPath : epochsPath, JSON.stringify(record) + '\n');
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

/**
 * Writes `results.json` (with `extra`, e.g. the run's configuration) and the plot of loss and
 * metric per epoch next to it: `plot.svg`, and `plot.png` where a renderer is available.
 * Returns the paths written.
 */
export async function writeRunResults(dir: string, results: RunResults, title: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written = [join(dir, RUN_FILES.results), join(dir, RUN_FILES.plotSvg)];
  await writeFileAtomic(written[0]!, JSON.stringify({ ...extra, ...results }, null, 2) + '\n');
  await writeFileAtomic(written[1]!, plotSvg(results.epochs, results.mainMetric, title, results.reportedSplit));
  if (await renderPng(written[1]!, join(dir, RUN_FILES.plotPng))) written.push(join(dir, RUN_FILES.plotPng));
  return written;
}
