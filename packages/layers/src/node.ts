/**
 * @edora/layers/node — adapter folders on disk (Node only). The browser-safe core works on bytes:
 * `adapterToFiles` / `loadAdapterFiles`.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AdapterFileError } from './errors.js';
import type { Module } from './module.js';
import {
  ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, adapterToFiles, loadAdapterFiles, type LoadAdapterReport,
} from './io/adapter-files.js';
import type { AdapterConfigJsonOptions } from './io/adapter-config.js';

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

/**
 * Saves the model's adapter as `dir/adapter_config.json` + `dir/adapter_model.safetensors`
 * (PEFT's layout). Each file is written
 * atomically; the weights go first, so a reader never pairs a new config with old weights.
 */
export async function saveAdapter(model: Module, dir: string, options: AdapterConfigJsonOptions = {}): Promise<void> {
  const files = await adapterToFiles(model, options);
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, ADAPTER_WEIGHTS_FILE), files[ADAPTER_WEIGHTS_FILE]);
  await writeAtomic(join(dir, ADAPTER_CONFIG_FILE), files[ADAPTER_CONFIG_FILE]);
}

/** Loads a PEFT adapter folder into a model (see `loadAdapterFiles`). */
export async function loadAdapter(model: Module, dir: string): Promise<LoadAdapterReport> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, name));
    } catch (e) {
      throw new AdapterFileError(`loadAdapter: cannot read ${join(dir, name)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); an adapter folder holds ${ADAPTER_CONFIG_FILE} and ${ADAPTER_WEIGHTS_FILE}`);
    }
  };
  const [config, weights] = await Promise.all([read(ADAPTER_CONFIG_FILE), read(ADAPTER_WEIGHTS_FILE)]);
  return loadAdapterFiles(model, { [ADAPTER_CONFIG_FILE]: config.toString('utf8'), [ADAPTER_WEIGHTS_FILE]: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) }, { source: dir });
}
