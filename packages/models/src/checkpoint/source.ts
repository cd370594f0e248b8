import { parseSafetensorsHeader, type SafetensorsDType } from '@edora/tensor';
import { CheckpointError } from './errors.js';

/** What a loader needs to know about one stored tensor before reading it. */
export interface StoredTensor {
  dtype: SafetensorsDType;
  shape: readonly number[];
  byteLength: number;
  /** The file holding it (a shard's name for sharded checkpoints), for messages. */
  file: string;
}

/**
 * A checkpoint seen as named tensors whose bytes can be read piecewise. Loading through byte
 * ranges lets a loader stream each tensor into its parameter in small chunks, so a large
 * checkpoint never sits in memory next to the model. Sources: in-memory safetensors bytes (here),
 * files and sharded folders (the Node entry).
 */
export interface TensorSource {
  /** Names the checkpoint in messages (a path, or "bytes"). */
  readonly description: string;
  readonly tensors: ReadonlyMap<string, StoredTensor>;
  /** Bytes [start, end) of the tensor's data. */
  readRange(name: string, start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A source over an in-memory safetensors file (browser-safe: a fetch()ed ArrayBuffer works). */
export function safetensorsBytesSource(bytes: Uint8Array, description = 'safetensors bytes'): TensorSource {
  const header = parseSafetensorsHeader(bytes, { source: description, fileLength: bytes.length });
  const tensors = new Map<string, StoredTensor>();
  for (const [name, e] of header.entries) {
    tensors.set(name, { dtype: e.dtype, shape: e.shape, byteLength: e.byteLength, file: description });
  }
  return {
    description,
    tensors,
    readRange(name, start, end) {
      const e = header.entries.get(name);
      if (e === undefined) throw new CheckpointError(`${description}: no tensor named ${JSON.stringify(name)}`);
      return Promise.resolve(bytes.subarray(e.byteOffset + start, e.byteOffset + end));
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Several sources seen as one (the shards of a checkpoint). A name present in two sources is an
 * error: which copy to load would be a guess.
 */
export function mergeSources(description: string, sources: readonly TensorSource[]): TensorSource {
  const owner = new Map<string, TensorSource>();
  const tensors = new Map<string, StoredTensor>();
  for (const s of sources) {
    for (const [name, t] of s.tensors) {
      const prev = owner.get(name);
      if (prev !== undefined) {
        throw new CheckpointError(`${description}: tensor ${JSON.stringify(name)} is stored twice, in ${prev.description} and ${s.description}`);
      }
      owner.set(name, s);
      tensors.set(name, t);
    }
  }
  return {
    description,
    tensors,
    readRange(name, start, end) {
      const s = owner.get(name);
      if (s === undefined) throw new CheckpointError(`${description}: no tensor named ${JSON.stringify(name)}`);
      return s.readRange(name, start, end);
    },
    async close() {
      for (const s of sources) await s.close();
    },
  };
}
