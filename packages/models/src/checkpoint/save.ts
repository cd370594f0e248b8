import { ArgumentError, writeSafetensors, type SafetensorsWriteEntry, type Tensor } from '@edora/tensor';
import type { Module } from '@edora/layers';
import { robertaConfigToJson, type RobertaConfig } from '../config/roberta-config.js';
import { architectureOf } from './pretrained.js';
import { INDEX_FILE, type ShardIndex } from './shard-index.js';

/**
 * Saving in HF's layout: one `model.safetensors`, or, above a size limit, shards named
 * `model-00001-of-0000N.safetensors` plus `model.safetensors.index.json` mapping every tensor to
 * its shard (as `save_pretrained(max_shard_size=...)` writes them). Tensors are float32 (F32) or
 * float64 (F64) as the parameters are.
 */

export const SINGLE_FILE = 'model.safetensors';

export interface ShardPlan {
  /** Files in order, each with the tensor names it holds. */
  files: { file: string; names: string[] }[];
  /** Present when there is more than one file. */
  index?: ShardIndex;
}

function byteSize(t: Tensor): number {
  return t.size * (t.dtype === 'float64' ? 8 : 4);
}

/**
 * Splits tensors into files of at most `maxShardBytes` each (a tensor larger than the limit gets
 * a file of its own), keeping their order. One file when everything fits.
 */
export function planShards(params: readonly [string, Tensor][], maxShardBytes = Infinity): ShardPlan {
  if (!(maxShardBytes > 0)) throw new ArgumentError(`maxShardBytes must be positive, got ${maxShardBytes}`);
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  let total = 0;
  for (const [name, t] of params) {
    const bytes = byteSize(t);
    if (current.length > 0 && size + bytes > maxShardBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(name);
    size += bytes;
    total += bytes;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  if (groups.length === 1) return { files: [{ file: SINGLE_FILE, names: groups[0]! }] };
  const n = String(groups.length).padStart(5, '0');
  const files = groups.map((names, i) => ({ file: `model-${String(i + 1).padStart(5, '0')}-of-${n}.safetensors`, names }));
  const weight_map: Record<string, string> = {};
  for (const f of files) for (const name of f.names) weight_map[name] = f.file;
  return { files, index: { metadata: { total_size: total }, weight_map } };
}

/** Safetensors entries for some parameters (reads each tensor back to the host). */
export async function safetensorsEntries(params: Iterable<[string, Tensor]>): Promise<Record<string, SafetensorsWriteEntry>> {
  const out: Record<string, SafetensorsWriteEntry> = {};
  for (const [name, t] of params) {
    if (t.dtype === 'int32') throw new ArgumentError(`cannot save ${name}: weights are float32 or float64, found int32`);
    out[name] = { dtype: t.dtype === 'float64' ? 'F64' : 'F32', shape: t.shape, data: await t.data() };
  }
  return out;
}

/** The metadata HF writes into its safetensors files (loaders check `format`). */
export const SAFETENSORS_METADATA: Readonly<Record<string, string>> = { format: 'pt' };

/** A model's `config.json` text, HF's fields with its `architectures` name. */
export function modelConfigText(model: Module & { config: RobertaConfig }): string {
  return `${JSON.stringify(robertaConfigToJson(model.config, [architectureOf(model)]), null, 2)}\n`;
}

/**
 * A model's folder in HF's layout, in memory (browser-safe; the Node entry's `saveModel` writes
 * it to disk): `config.json` and `model.safetensors` (or shards and their index), float32 with HF
 * key names. Reads every parameter back from the backend.
 */
export async function modelToFiles(model: Module & { config: RobertaConfig }, options: { maxShardBytes?: number } = {}): Promise<Map<string, Uint8Array | string>> {
  const params = model.namedParameters();
  const plan = planShards(params, options.maxShardBytes);
  const byName = new Map(params);
  const files = new Map<string, Uint8Array | string>();
  for (const { file, names } of plan.files) {
    files.set(file, writeSafetensors(await safetensorsEntries(names.map((n) => [n, byName.get(n)!])), { ...SAFETENSORS_METADATA }));
  }
  if (plan.index) files.set(INDEX_FILE, `${JSON.stringify(plan.index, null, 2)}\n`);
  files.set('config.json', modelConfigText(model));
  return files;
}
