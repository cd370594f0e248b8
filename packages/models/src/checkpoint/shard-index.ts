import { formatValue } from '@edora/tensor';
import { CheckpointError } from './errors.js';

export const INDEX_FILE = 'model.safetensors.index.json';

/** HF's `model.safetensors.index.json`: `weight_map` from tensor name to shard file. */
export interface ShardIndex {
  metadata: { total_size: number };
  weight_map: Record<string, string>;
}

/**
 * Reads a shard index and returns, per shard file, the tensor names the index assigns to it.
 * Shard names must be plain file names in the same folder (no paths: an index must not point a
 * loader elsewhere on disk).
 */
export function parseShardIndex(text: string, source = INDEX_FILE): Map<string, string[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${source}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new CheckpointError(`${source}: expected an object with "weight_map": {tensor name: shard file}, found ${formatValue(json)}`);
  }
  const shards = new Map<string, string[]>();
  for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || !/^[^/\\]+\.safetensors$/.test(file) || file.startsWith('.')) {
      throw new CheckpointError(`${source}: weight_map[${formatValue(name)}] must be a .safetensors file name in the same folder, found ${formatValue(file)}`);
    }
    const names = shards.get(file) ?? [];
    names.push(name);
    shards.set(file, names);
  }
  if (shards.size === 0) throw new CheckpointError(`${source}: weight_map is empty`);
  return shards;
}
