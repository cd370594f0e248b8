import type { AsyncBuffer } from 'hyparquet';
import { parseDataFile, type DataFileFormat, type DataFileOptions } from './data-files.js';
import { GlueArgumentError } from './errors.js';
import { parseParquet } from './parquet.js';
import type { GlueExample } from './tasks.js';

const EXTENSIONS: Record<string, DataFileFormat | 'parquet'> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.json': 'json', '.parquet': 'parquet' };

/**
 * How a user data file named `name` is read: `format` when given, else by its extension (.csv,
 * .tsv, .jsonl, .json, .parquet); anything else is an error naming the file and the choices.
 */
export function dataFileFormatOf(name: string, format?: DataFileFormat): DataFileFormat | 'parquet' {
  if (format) return format;
  const dot = name.lastIndexOf('.');
  const ext = dot > Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) ? name.slice(dot).toLowerCase() : '';
  const found = EXTENSIONS[ext];
  if (!found) throw new GlueArgumentError(`${name}: cannot tell the format from ${JSON.stringify(ext)}; expected .csv, .tsv, .jsonl, .json, .parquet or an explicit format`);
  return found;
}

/** A Blob as hyparquet's random-access buffer: only the footer and the needed column chunks are read. */
export function blobAsyncBuffer(blob: Blob): AsyncBuffer {
  return { byteLength: blob.size, slice: (start, end) => blob.slice(start, end).arrayBuffer() };
}

/**
 * Streams a user data file held in a `Blob` (a browser `File`) as `streamDataFile` does a path:
 * the format from `options.format` or the name, text streamed chunk by chunk, parquet by range.
 * Errors name `name` with the line (`train.tsv:3: ...`).
 */
export async function* parseDataBlob(blob: Blob, name: string, options: Partial<DataFileOptions> = {}): AsyncGenerator<GlueExample> {
  const format = dataFileFormatOf(name, options.format);
  if (format === 'parquet') {
    yield* parseParquet(blobAsyncBuffer(blob), { ...options, file: options.file ?? name });
    return;
  }
  yield* parseDataFile(blob.stream(), { ...options, format, file: options.file ?? name });
}
