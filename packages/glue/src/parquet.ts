import { parquetMetadataAsync, parquetSchema, type AsyncBuffer, type CompressionCodec, type FileMetaData, type RowGroup, type SchemaTree } from 'hyparquet';
import { GlueFormatError, shown, type DataLocation } from './errors.js';
import { readRow } from './malformed-rows.js';
import { MAX_EXPANSION, countIn, failingAt } from './parquet-bytes.js';
import { INVALID_TEXT, readColumnChunk, type FlatColumn } from './parquet-pages.js';
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

/** The codecs glue decodes (snappy through hyparquet's decoder); HF `datasets` writes snappy. */
const CODECS: readonly CompressionCodec[] = ['SNAPPY', 'UNCOMPRESSED'];

/**
 * Reads examples from a parquet file such as HF `datasets` writes (`sentence`/`label`/`idx`
 * columns, label -1 on test splits), one row group at a time and only the columns it needs.
 * The footer is read by hyparquet (pure JavaScript, runs in browsers); the pages by
 * `readColumnChunk`, which checks every count and size against the bytes that hold it. Before
 * a row group is read, its column chunks must lie inside the file and its rows must be ones its
 * chunks can hold (at most MAX_EXPANSION per byte), so a small file cannot cost much. Text
 * columns must hold UTF-8 (a row that does not is malformed, and `skipMalformed` skips it).
 */
export async function* parseParquet(source: ParquetSource, options: ParquetOptions = {}): AsyncGenerator<GlueExample> {
  const file = options.file ?? '<parquet>';
  const buffer = asAsyncBuffer(source);
  let metadata: FileMetaData;
  let schema: SchemaTree;
  try {
    metadata = await parquetMetadataAsync(buffer, { geoparquet: false });
    schema = parquetSchema(metadata);
  } catch (cause) {
    throw new GlueFormatError({ file, line: 0 }, `expected a parquet file; ${(cause as Error).message}`, { cause });
  }
  const names = schema.children.map((c) => c.element.name);
  const plan = planColumns(names, options, file);
  const wanted = [...plan.text, ...(plan.label === null ? [] : [plan.label])].map((name) => flatColumn(schema, name, file, true)!);
  // an `idx` column names the examples; one that is not a plain column is left alone (positions name them)
  const idx = names.includes('idx') ? flatColumn(schema, 'idx', file, false) : null;
  if (idx) wanted.push(idx);
  const dataEnd = buffer.byteLength - 8 - metadata.metadata_length;
  let rowStart = 0;
  let position = options.firstPosition ?? 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const at: DataLocation = { file, line: rowStart + 1 };
    const check = failingAt(at, `row group ${g + 1}`);
    const rows = countIn(check, group.num_rows, 'a row count', 0, Number.MAX_SAFE_INTEGER);
    const chunks = wanted.map((column) => chunkOf(check, group, column, dataEnd));
    const stored = chunks.reduce((n, c) => n + c.end - c.start, 0);
    if (rows > MAX_EXPANSION * stored) check.fail(`expected at most ${MAX_EXPANSION * stored} rows (${MAX_EXPANSION} per byte of its ${stored} bytes of column chunks); found ${rows}`);
    if (rows === 0) continue;
    const bytes = await Promise.all(chunks.map((c) => buffer.slice(c.start, c.end)));
    const columns = wanted.map((column, k) => readColumnChunk(new Uint8Array(bytes[k]!), column, chunks[k]!.codec, rows, { file, firstRow: rowStart, group: g + 1 }));
    for (let i = 0; i < rows; i++) {
      // parquet has rows, not lines: the location is the 1-based row number
      const line = rowStart + i + 1;
      const example = readRow(options.skipMalformed, () => toExample({ row: record(wanted, columns, i, { file, line }), line }, plan, position, file));
      position++;
      if (example) yield example;
    }
    rowStart += rows;
  }
}

/** The top-level column `name` as a flat column, or (when not `required`) null if it is nested. */
function flatColumn(schema: SchemaTree, name: string, file: string, required: boolean): FlatColumn | null {
  const found = schema.children.filter((c) => c.element.name === name);
  const at = { file, line: 0 };
  if (found.length > 1) throw new GlueFormatError(at, `expected one column named ${shown(name)}; found ${found.length}`);
  const { element, children } = found[0]!;
  if (children.length > 0 || element.type === undefined || element.repetition_type === 'REPEATED') {
    if (!required) return null;
    throw new GlueFormatError(at, `expected column ${shown(name)} to hold one value per row; found a nested or repeated column`);
  }
  const typeLength = element.type === 'FIXED_LEN_BYTE_ARRAY' ? countIn(failingAt(at, `column ${shown(name)}`), element.type_length, 'a fixed length', 1, 2 ** 31 - 1) : 0;
  return { name, type: element.type, typeLength, optional: element.repetition_type !== 'REQUIRED' };
}

/** Where a row group's chunk of `column` lies in the file: checked against the file before it is read. */
function chunkOf(check: { fail(message: string): never }, group: RowGroup, column: FlatColumn, dataEnd: number): { start: number; end: number; codec: CompressionCodec } {
  const name = shown(column.name);
  const chunk = (Array.isArray(group.columns) ? group.columns : []).find((c) => Array.isArray(c?.meta_data?.path_in_schema) && c.meta_data.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column.name);
  const meta = chunk?.meta_data;
  if (!meta) return check.fail(`expected a column chunk of column ${name}; found none`);
  if (chunk.file_path !== undefined) check.fail(`expected column ${name} in this file; found a reference to ${shown(chunk.file_path)}`);
  if (!CODECS.includes(meta.codec)) check.fail(`expected column ${name} compressed with ${CODECS.join(' or ')}; found ${meta.codec ?? 'an unknown codec'}`);
  const start = countIn(check, meta.dictionary_page_offset || meta.data_page_offset, `the offset of column ${name}'s chunk`, 4, dataEnd);
  const size = countIn(check, meta.total_compressed_size, `the size of column ${name}'s chunk (what is left of the file)`, 0, dataEnd - start);
  return { start, end: start + size, codec: meta.codec };
}

/** Row `i` of the columns read; text that is not UTF-8 is the row's error. */
function record(wanted: readonly FlatColumn[], columns: readonly unknown[][], i: number, at: DataLocation): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let k = 0; k < wanted.length; k++) {
    const value = columns[k]![i];
    if (value === INVALID_TEXT) throw new GlueFormatError(at, `expected UTF-8 text in column ${shown(wanted[k]!.name)}; found invalid bytes`);
    row[wanted[k]!.name] = value;
  }
  return row;
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
