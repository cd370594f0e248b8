/**
 * Taking a run folder before training: locked for this process, and a folder that already holds a
 * run is only reused on purpose (`--resume` continues it, `--overwrite-output-dir` replaces it).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, runKeyDifferences } from '@edora/train';
import { LOCK_FILE, RUN_FILES, lockRunFolder, readRunCheckpoint, type RunFolderLock } from '@edora/train/node';
import { UsageError } from './args.js';
import type { Progress } from './progress.js';

/** What `train` writes into a run folder besides `RUN_FILES`: removed by `--overwrite-output-dir`, nothing else is. */
export const TRAINED_FILE = 'trained.safetensors';
/** Sub-folder holding the adapter in PEFT's layout (adapter_config.json + adapter_model.safetensors). */
export const ADAPTER_DIR = 'adapter';
/** The human-readable log beside steps.jsonl: every progress message, step and epoch, time-stamped. */
export const TRAIN_LOG = 'train.log';
const OWN_FILES = [...Object.values(RUN_FILES), TRAINED_FILE, ADAPTER_DIR, 'best', 'checkpoints', TRAIN_LOG];

export interface TakeOptions {
  resume: boolean;
  /** Replace a run the folder holds (its files only; other files stay). */
  overwrite: boolean;
  /** This run's key: a resume whose checkpoint has another is refused, naming the settings that differ. */
  runKey: string;
  /** Shown to a run that finds the folder taken. */
  command?: string;
  /** Take the lock whoever holds it (`RunOptions.takeOverLock`). */
  takeOverLock?: boolean;
  progress: Progress;
}

export interface TakenFolder {
  lock: RunFolderLock;
  /** The checkpoint to resume from (with `resume`). */
  resumeBytes: Uint8Array | null;
}

/**
 * Locks `dir` and checks it fits what was asked: a fresh run needs an empty (or new) folder unless
 * `overwrite`, a resume needs a checkpoint written with the same settings. Everything is checked
 * before any data or model is loaded; on a refusal the lock is released.
 */
export async function takeRunFolder(dir: string, o: TakeOptions): Promise<TakenFolder> {
  const lock = await lockRunFolder(dir, o.command, { force: o.takeOverLock ?? false });
  try {
    if (lock.takenOverFrom) o.progress.message(`${dir}: took over the lock of pid ${lock.takenOverFrom.pid} on ${lock.takenOverFrom.hostname}, which ended without releasing it`);
    if (lock.removedTempFiles.length) o.progress.message(`${dir}: removed temporary files of writers that ended: ${lock.removedTempFiles.join(', ')}`);
    const checkpoint = await readRunCheckpoint(dir);
    if (o.resume) {
      if (!checkpoint) throw new UsageError(`--resume: ${join(dir, RUN_FILES.checkpoint)} does not exist; run without --resume to start`);
      const { meta } = decodeCheckpoint(checkpoint, join(dir, RUN_FILES.checkpoint));
      const differences = runKeyDifferences(meta.runKey, o.runKey);
      if (differences.length) {
        throw new UsageError(`--resume: the checkpoint in ${dir} was written with other settings: ${differences.join('; ')}. Resume with the checkpoint's settings, or start over with --overwrite-output-dir`);
      }
      return { lock, resumeBytes: checkpoint };
    }
    // a log alone is what a run that failed before training leaves; it is no run to protect
    const entries = (await readdir(dir)).filter((e) => e !== LOCK_FILE && e !== TRAIN_LOG);
    await rm(join(dir, TRAIN_LOG), { force: true });
    if (entries.length && !o.overwrite) {
      const finished = entries.includes(RUN_FILES.results);
      const what = finished
        ? `a finished run (${RUN_FILES.results})`
        : checkpoint
          ? `an interrupted run (checkpoint at step ${decodeCheckpoint(checkpoint).meta.step}); pass --resume to continue it,`
          : `files (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`;
      throw new UsageError(`--output-dir ${dir} already holds ${what} — pass --overwrite-output-dir to replace it, or choose another --output-dir`);
    }
    if (entries.length) {
      for (const name of OWN_FILES) await rm(join(dir, name), { recursive: true, force: true });
      o.progress.message(`${dir}: --overwrite-output-dir: removed the previous run's files`);
    }
    return { lock, resumeBytes: null };
  } catch (e) {
    await lock.release();
    throw e;
  }
}
