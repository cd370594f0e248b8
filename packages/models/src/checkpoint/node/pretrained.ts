import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { writeSafetensorsFile } from '@edora/tensor/node';
import type { Module } from '@edora/layers';
import type { RobertaConfig } from '../../config/roberta-config.js';
import { ModelNotFoundError } from '../errors.js';
import { CONFIG_FILE, pretrainedFromFolder } from '../folder-pretrained.js';
import type { Pretrained, PretrainedOptions, RobertaModelFor, RobertaTask } from '../pretrained.js';
import { INDEX_FILE } from '../shard-index.js';
import { modelConfigText, planShards, safetensorsEntries, SAFETENSORS_METADATA } from '../save.js';
import { directoryFolder } from './folder-source.js';
import type { RobertaTokenizer } from '../../tokenizer/tokenizer.js';

async function isFolder(path: string): Promise<boolean> {
  return access(join(path, CONFIG_FILE)).then(
    () => true,
    () => false,
  );
}

/**
 * Loads a RoBERTa from a local model folder (config.json plus model.safetensors or a sharded
 * index), as HF's from_pretrained does for a local path, and the folder's tokenizer when it has one. Nothing is downloaded: a hub name with no
 * folder behind it is an error that says how to fetch the files.
 */
export async function fromPretrained<T extends RobertaTask = 'sequence-classification'>(
  dir: string,
  options: PretrainedOptions<T> = {},
): Promise<Pretrained<RobertaModelFor<T>> & { tokenizer?: RobertaTokenizer }> {
  if (!(await isFolder(dir))) {
    const looksLikeHub = !isAbsolute(dir) && !dir.startsWith('.') && /^[\w.-]+(\/[\w.-]+)?$/.test(dir);
    throw new ModelNotFoundError(
      `fromPretrained: ${resolve(dir)} is not a model folder (no ${CONFIG_FILE}). ` +
        (looksLikeHub
          ? `"${dir}" looks like a Hugging Face Hub name; EDoRA.ts never downloads at run time. Fetch the files once, e.g. ` +
            `\`huggingface-cli download ${dir.includes('/') ? dir : `FacebookAI/${dir}`} config.json model.safetensors vocab.json merges.txt --local-dir ./${dir.split('/').pop()}\` ` +
            `(or \`git clone https://huggingface.co/${dir.includes('/') ? dir : `FacebookAI/${dir}`}\`), then pass that folder. ` +
            'For random weights of a known shape use robertaPreset(name) instead.'
          : `Expected a folder holding ${CONFIG_FILE} and model.safetensors (or ${INDEX_FILE} with its shards).`),
    );
  }
  return pretrainedFromFolder(await directoryFolder(dir), options);
}

/** Writes text atomically (temp file, then rename), as the weights are written. */
async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export interface SaveModelOptions {
  /** Split the weights into shards of at most this many bytes (HF's max_shard_size). Default: one file. */
  maxShardBytes?: number;
}

/**
 * Saves a model in HF's layout: config.json and model.safetensors (or shards plus
 * model.safetensors.index.json), float32 with HF key names, loadable by HF transformers and by
 * `fromPretrained`. Each file is written atomically.
 */
export async function saveModel(model: Module & { config: RobertaConfig }, dir: string, options: SaveModelOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const params = model.namedParameters();
  const plan = planShards(params, options.maxShardBytes);
  const byName = new Map(params);
  const written: string[] = [];
  for (const { file, names } of plan.files) {
    const entries = await safetensorsEntries(names.map((n) => [n, byName.get(n)!]));
    await writeSafetensorsFile(join(dir, file), entries, { ...SAFETENSORS_METADATA });
    written.push(file);
  }
  if (plan.index) {
    await writeTextAtomic(join(dir, INDEX_FILE), `${JSON.stringify(plan.index, null, 2)}\n`);
    written.push(INDEX_FILE);
  }
  await writeTextAtomic(join(dir, CONFIG_FILE), modelConfigText(model));
  written.push(CONFIG_FILE);
  return written;
}
