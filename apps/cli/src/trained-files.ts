/**
 * The trained state a run folder keeps: `trained.safetensors` (every trained tensor under its model
 * path) and `adapter/` (PEFT's layout), for the last evaluation at the top and for the best one
 * under `best/`, and the numbered checkpoints `--save-total-limit` keeps.
 */
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { saveAdapter } from '@edora/layers/node';
import type { Module } from '@edora/layers';
import { writeSafetensorsFile } from '@edora/tensor/node';
import { writeFileAtomic, writingFile } from '@edora/train/node';
import { ADAPTER_DIR, TRAINED_FILE } from './run-folder.js';

/** Sub-folder with the best evaluation's `trained.safetensors`, `adapter/` and `epoch.json`. */
export const BEST_DIR = 'best';
/** Sub-folder of the numbered checkpoints kept by `--save-total-limit`. */
export const CHECKPOINTS_DIR = 'checkpoints';

/** Writes `trained.safetensors` and (for adapter methods) `adapter/` of `model` into `dir`, each file atomically. */
export async function writeTrainedFiles(model: Module, dir: string, withAdapter: boolean, baseModel: string): Promise<void> {
  const trained: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, p] of model.namedParameters()) {
    if (p.requiresGrad) trained[name] = { dtype: 'F32', shape: [...p.shape], data: (await p.data()) as Float32Array };
  }
  await mkdir(dir, { recursive: true });
  const trainedPath = join(dir, TRAINED_FILE);
  await writingFile(trainedPath, () => writeSafetensorsFile(trainedPath, trained));
  // the PEFT-format adapter folder, loadable by HF PEFT (LoRA, DoRA) and by @edora/layers
  const adapterPath = join(dir, ADAPTER_DIR);
  if (withAdapter) await writingFile(adapterPath, () => saveAdapter(model, adapterPath, { baseModelNameOrPath: baseModel }), 'write the adapter folder');
}

/** Copies `from`'s trained files over `to`'s (each through a temp file and a rename). */
export async function copyTrainedFiles(from: string, to: string): Promise<void> {
  const copy = async (a: string, b: string): Promise<void> => {
    const tmp = `${b}.tmp-${process.pid}`;
    await writingFile(b, async () => {
      await copyFile(a, tmp);
      await rename(tmp, b);
    });
  };
  await copy(join(from, TRAINED_FILE), join(to, TRAINED_FILE));
  const adapter = await readdir(join(from, ADAPTER_DIR)).catch(() => null);
  if (adapter) {
    await mkdir(join(to, ADAPTER_DIR), { recursive: true });
    for (const f of adapter) await copy(join(from, ADAPTER_DIR, f), join(to, ADAPTER_DIR, f));
  }
}

/** Records which evaluation `best/` holds: the epoch it fell in, its step and fractional epoch, and its score. */
export async function writeBestEpoch(dir: string, info: { epoch: number; step: number; epochFraction: number; metric: string; value: number }): Promise<void> {
  await writeFileAtomic(join(dir, BEST_DIR, 'epoch.json'), JSON.stringify(info, null, 2) + '\n');
}

/**
 * Keeps checkpoint `bytes` as `checkpoints/checkpoint-<step>.safetensors` and removes the oldest
 * beyond `limit`, never the one of step `keepStep` (the best evaluation's), as HF's `save_total_limit`.
 */
export async function keepNumberedCheckpoint(runDir: string, bytes: Uint8Array, step: number, limit: number, keepStep: number | null): Promise<void> {
  const dir = join(runDir, CHECKPOINTS_DIR);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, `checkpoint-${step}.safetensors`), bytes);
  const steps = (await readdir(dir)).map((f) => /^checkpoint-(\d+)\.safetensors$/.exec(f)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  let excess = steps.length - limit;
  for (const s of steps) {
    if (excess <= 0) break;
    if (s === keepStep) continue;
    await rm(join(dir, `checkpoint-${s}.safetensors`), { force: true });
    excess--;
  }
}
