import { parseSafetensorsHeader, readHeaderLength } from '@edora/tensor';
import { CheckpointError } from './errors.js';
import { INDEX_FILE, parseShardIndex } from './shard-index.js';
import { SINGLE_FILE } from './save.js';
import { mergeSources, safetensorsBytesSource, type StoredTensor, type TensorSource } from './source.js';

/**
 * A model folder seen through its files, wherever they are: a directory on disk (the Node
 * entry's `directoryFolder`), files a user dropped into a page (`blobFolder`), or bytes in memory.
 * Everything that reads a folder (weights, shards, tokenizer, config) is written once against it.
 */
export interface ModelFolder {
  /** Names the folder in messages (a path, a dropped folder's name). */
  readonly description: string;
  /** The names of the files directly in the folder. */
  readonly files: readonly string[];
  /** How messages name one of its files (`dir/name` on disk). */
  pathOf(name: string): string;
  readBytes(name: string): Promise<Uint8Array>;
  /** A safetensors file of the folder as a source read by byte range (the whole file need not be in memory). */
  tensorSource(name: string): Promise<TensorSource>;
}

/**
 * The weights of a model folder: `model.safetensors.index.json` with its shards when present,
 * else `model.safetensors`. Each shard must hold exactly the tensors the index assigns to it.
 */
export async function checkpointSourceOf(folder: ModelFolder): Promise<TensorSource> {
  if (folder.files.includes(INDEX_FILE)) {
    const indexPath = folder.pathOf(INDEX_FILE);
    const shards = parseShardIndex(new TextDecoder().decode(await folder.readBytes(INDEX_FILE)), indexPath);
    const sources: TensorSource[] = [];
    try {
      for (const [file, names] of shards) {
        const path = folder.pathOf(file);
        if (!folder.files.includes(file)) throw new CheckpointError(`${indexPath} names shard ${file}, but ${path} does not exist`);
        const source = await folder.tensorSource(file);
        sources.push(source);
        const missing = names.filter((n) => !source.tensors.has(n));
        if (missing.length) throw new CheckpointError(`${path}: the index puts ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''} in this shard, but it does not hold them`);
        const extra = [...source.tensors.keys()].filter((n) => !names.includes(n));
        if (extra.length) throw new CheckpointError(`${path}: holds ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', ...' : ''}, which the index assigns elsewhere or not at all`);
      }
      return mergeSources(folder.description, sources);
    } catch (err) {
      for (const s of sources) await s.close();
      throw err;
    }
  }
  if (folder.files.includes(SINGLE_FILE)) return folder.tensorSource(SINGLE_FILE);
  const legacy = folder.files.find((f) => f === 'pytorch_model.bin' || f.endsWith('.bin'));
  throw new CheckpointError(
    `${folder.description}: no ${SINGLE_FILE} or ${INDEX_FILE}; the folder has: ${folder.files.join(', ') || '(nothing)'}.` +
      (legacy ? ` ${legacy} is a pickled PyTorch checkpoint, which is not read here: convert it to safetensors first (e.g. in Python, safetensors.torch.save_file(torch.load(path), "model.safetensors")).` : ''),
  );
}

/**
 * A safetensors file held in a `Blob` (a browser `File`) as a `TensorSource`: only the header is
 * read on open, then each tensor's bytes by range, so a dropped 500 MB checkpoint is never copied
 * whole into memory.
 */
export async function safetensorsBlobSource(blob: Blob, description: string): Promise<TensorSource> {
  const read = async (start: number, end: number): Promise<Uint8Array> => new Uint8Array(await blob.slice(start, end).arrayBuffer());
  const prefix = await read(0, Math.min(LENGTH_PREFIX_BYTES, blob.size));
  const headerLength = readHeaderLength(prefix, { fileLength: blob.size, source: description });
  const header = parseSafetensorsHeader(await read(0, LENGTH_PREFIX_BYTES + headerLength), { fileLength: blob.size, source: description });
  const tensors = new Map<string, StoredTensor>();
  for (const [name, e] of header.entries) tensors.set(name, { dtype: e.dtype, shape: e.shape, byteLength: e.byteLength, file: description });
  return {
    description,
    tensors,
    readRange(name, start, end) {
      const e = header.entries.get(name);
      if (e === undefined) throw new CheckpointError(`${description}: no tensor named ${JSON.stringify(name)}`);
      return read(e.byteOffset + start, e.byteOffset + end);
    },
    close: () => Promise.resolve(),
  };
}

/** A safetensors file starts with its header's length, a little-endian u64. */
const LENGTH_PREFIX_BYTES = 8;

/** A folder of in-memory files (`Blob`s, such as the `File`s of a dropped or picked folder). */
export function blobFolder(description: string, files: ReadonlyMap<string, Blob>): ModelFolder {
  const get = (name: string): Blob => {
    const blob = files.get(name);
    if (!blob) throw new CheckpointError(`${description}: no file ${name}; the folder has: ${[...files.keys()].join(', ') || '(nothing)'}`);
    return blob;
  };
  return {
    description,
    files: [...files.keys()],
    pathOf: (name) => `${description}/${name}`,
    readBytes: async (name) => new Uint8Array(await get(name).arrayBuffer()),
    tensorSource: (name) => safetensorsBlobSource(get(name), `${description}/${name}`),
  };
}

/** A folder of bytes in memory (tests, files made in the page). */
export function bytesFolder(description: string, files: ReadonlyMap<string, Uint8Array>): ModelFolder {
  return {
    description,
    files: [...files.keys()],
    pathOf: (name) => `${description}/${name}`,
    async readBytes(name) {
      const bytes = files.get(name);
      if (!bytes) throw new CheckpointError(`${description}: no file ${name}`);
      return bytes;
    },
    async tensorSource(name) {
      return safetensorsBytesSource(await this.readBytes(name), `${description}/${name}`);
    },
  };
}
