/**
 * @edora/layers/node — adapter folders on disk (Node only). The browser-safe core works on bytes:
 * `adapterToFiles` / `loadAdapterFiles`.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AdapterFileError } from './errors.js';
import type { Module } from './module.js';
import {
  ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, adapterToFiles, loadAdapterFiles, type LoadAdapterOptions, type LoadAdapterReport,
} from './io/adapter-files.js';
import type { AdapterConfigJsonOptions } from './io/adapter-config.js';
import { RECONSTR_CONFIG_FILE } from './io/reconstr-config.js';

/** Writes bytes to a temporary sibling, flushes it to disk, then renames it over `path`. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export interface SaveAdapterReport {
  /** Paths written. */
  files: string[];
  /** What was left alone and why (a parent's `reconstr_config.json` that describes another adapter). */
  notes: string[];
}

/**
 * Saves the model's adapter as `dir/adapter_config.json` + `dir/adapter_model.safetensors`
 * (PEFT's layout); EDoRA and LoRA-XS also get the authors' `reconstr_config.json`, in `dir` and
 * in its parent, where their loader looks for it (their runs keep it in the run folder, above
 * the checkpoint folders). A parent file that describes another adapter is left as it is and the
 * report says so. Each file is written atomically; the weights go first, so a reader never pairs
 * a new config with old weights.
 */
export async function saveAdapter(model: Module, dir: string, options: AdapterConfigJsonOptions = {}): Promise<SaveAdapterReport> {
  const files = await adapterToFiles(model, options);
  await mkdir(dir, { recursive: true });
  const report: SaveAdapterReport = { files: [], notes: [] };
  const write = async (path: string, data: Uint8Array | string): Promise<void> => {
    await writeAtomic(path, data);
    report.files.push(path);
  };
  await write(join(dir, ADAPTER_WEIGHTS_FILE), files[ADAPTER_WEIGHTS_FILE]);
  const side = files[RECONSTR_CONFIG_FILE];
  if (side !== undefined) {
    await write(join(dir, RECONSTR_CONFIG_FILE), side);
    const parent = join(dirname(resolve(dir)), RECONSTR_CONFIG_FILE);
    const there = await readIfThere(parent);
    if (there === undefined) await write(parent, side);
    else if (there !== side) report.notes.push(`left ${parent} as it is: it describes another adapter (the authors' loader reads that file for every adapter folder beside ${dir}; this one's copy is in the folder)`);
  }
  await write(join(dir, ADAPTER_CONFIG_FILE), files[ADAPTER_CONFIG_FILE]);
  return report;
}

/**
 * Loads a PEFT adapter folder into a model (see `loadAdapterFiles`). The authors' side file is
 * read from the folder, else from its parent (their layout).
 */
export async function loadAdapter(model: Module, dir: string, options: Pick<LoadAdapterOptions, 'method'> = {}): Promise<LoadAdapterReport> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, name));
    } catch (e) {
      throw new AdapterFileError(`loadAdapter: cannot read ${join(dir, name)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); an adapter folder holds ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`);
    }
  };
  // Both reads run at once, but the error reported is the config's when both fail: Promise.all would
  // report whichever failed first in time, so the message would depend on the file system's timing.
  const [configRead, weightsRead] = await Promise.allSettled([read(ADAPTER_CONFIG_FILE), read(ADAPTER_WEIGHTS_FILE)]);
  if (configRead.status === 'rejected') throw configRead.reason;
  if (weightsRead.status === 'rejected') throw weightsRead.reason;
  const config = configRead.value;
  const weights = weightsRead.value;
  let sideFileSource = join(dir, RECONSTR_CONFIG_FILE);
  let side = await readIfThere(sideFileSource);
  if (side === undefined) {
    sideFileSource = join(dirname(resolve(dir)), RECONSTR_CONFIG_FILE);
    side = await readIfThere(sideFileSource);
  }
  return loadAdapterFiles(
    model,
    {
      [ADAPTER_CONFIG_FILE]: config.toString('utf8'),
      [ADAPTER_WEIGHTS_FILE]: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
      ...(side !== undefined ? { [RECONSTR_CONFIG_FILE]: side } : {}),
    },
    { source: dir, method: options.method, ...(side !== undefined ? { sideFileSource } : {}) },
  );
}
