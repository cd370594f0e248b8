import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { GlueFormatError } from './errors.js';
import { readRow } from './malformed-rows.js';
import { planColumns, toExample, type ColumnOptions } from './records.js';
import type { GlueExample } from './tasks.js';

/** Whole parquet bytes, or hyparquet's `AsyncBuffer` (random access: a file handle, HTTP ranges...). */
export type ParquetSource = ArrayBuffer | Uint8Array | AsyncBuffer;

export interface ParquetOptions extends ColumnOptions {
  /** Name used in error messages. */
  file?: string;
  /** `idx` of the first row when the file has no `idx` column (shards after the first continue the count). */
  firstPosition?: number;
}

/**
 * Reads examples from a parquet file such as HF `datasets` writes (`sentence`/`label`/`idx`
 * columns, label -1 on test splits), one row group at a time and only the columns it needs.
 * Uses hyparquet (pure JavaScript, runs in browsers).
 */
export async function* parseParquet(source: ParquetSource, options: ParquetOptions = {}): AsyncGenerator<GlueExample> {
  const file = options.file ?? '<parquet>';
  const buffer = asAsyncBuffer(source);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (cause) {
    throw new GlueFormatError({ file, line: 0 }, `expected a parquet file; ${(cause as Error).message}`, { cause });
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const plan = planColumns(columns, options, file);
  const wanted = [...plan.text, ...(plan.label === null ? [] : [plan.label]), ...(columns.includes('idx') ? ['idx'] : [])];
  let rowStart = 0;
  let position = options.firstPosition ?? 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, columns: wanted, rowStart, rowEnd });
    } catch (cause) {
      throw new GlueFormatError({ file, line: rowStart + 1 }, `expected readable parquet rows ${rowStart + 1}..${rowEnd}; ${(cause as Error).message}`, { cause });
    }
    for (let i = 0; i < rows.length; i++) {
      // parquet has rows, not lines: the location is the 1-based row number
      const at = position++;
      const example = readRow(options.skipMalformed, () => toExample({ row: rows[i]!, line: rowStart + i + 1 }, plan, at, file));
      if (example) yield example;
    }
    rowStart = rowEnd;
  }
}

function asAsyncBuffer(source: ParquetSource): AsyncBuffer {
  if (source instanceof ArrayBuffer) return source;
  if (source instanceof Uint8Array) {
    return source.byteOffset === 0 && source.byteLength === source.buffer.byteLength && source.buffer instanceof ArrayBuffer
      ? source.buffer
      : (source.slice().buffer as ArrayBuffer);
  }
  return source;
}
