import { GlueArgumentError, GlueFormatError, shown } from './errors.js';
import { colaHeaderless, glueTsvColumns } from './glue-tsv.js';
import { readLines, textChunks, type TextSource } from './lines.js';
import { readRow } from './malformed-rows.js';
import { planColumns, toExample, type ColumnOptions, type NamedRecord } from './records.js';
import type { GlueExample } from './tasks.js';

/** User data files, as HF run_glue's `--train_file`: CSV/TSV with a header, JSON Lines, or JSON. */
export type DataFileFormat = 'csv' | 'tsv' | 'jsonl' | 'json';
export const DATA_FILE_FORMATS: readonly DataFileFormat[] = ['csv', 'tsv', 'jsonl', 'json'];

export interface DataFileOptions extends ColumnOptions {
  format: DataFileFormat;
  /** Name used in error messages. */
  file?: string;
}

/**
 * Parses a user data file into examples, streaming for CSV/TSV/JSONL (a JSON document is parsed
 * whole: an array of objects, or an object with a `data` array). CSV follows RFC 4180 (quoted
 * fields may hold the delimiter, `""` and newlines; CRLF or LF line ends). TSV is read as GLUE's
 * TSVs are (`parseGlueTsv`): quoting off, one record per line, since GLUE text holds unbalanced
 * `"` (QNLI, RTE, STS-B); a header in a task's GLUE layout (MRPC's `#1 String`) picks that
 * layout's columns, and CoLA's header-less train/dev files read as its four GLUE columns.
 */
export async function* parseDataFile(source: TextSource, options: DataFileOptions): AsyncGenerator<GlueExample> {
  const file = options.file ?? `<${options.format}>`;
  let records: AsyncIterable<NamedRecord>;
  switch (options.format) {
    case 'csv':
      records = delimitedRecords(delimitedRows(source, file, ','), file);
      break;
    case 'tsv':
      records = delimitedRecords(tsvRows(source, file, options.task), file);
      break;
    case 'jsonl':
      records = jsonLinesRecords(source, file);
      break;
    case 'json':
      records = jsonRecords(source, file);
      break;
    default:
      throw new GlueArgumentError(`expected format ${DATA_FILE_FORMATS.join(', ')}; found ${JSON.stringify(options.format)}`);
  }
  let plan: ReturnType<typeof planColumns> | null = null;
  let position = 0;
  for await (const record of records) {
    // the record's position is its default idx, skipped records included
    const at = position++;
    if (!record.malformed) plan ??= planColumns(Object.keys(record.row), columnOptions(options, Object.keys(record.row)), file);
    const example = readRow(options.skipMalformed, () => {
      if (record.malformed) throw record.malformed;
      return toExample(record, plan!, at, file);
    });
    if (example) yield example;
  }
  if (plan === null) {
    const skipped = options.skipMalformed?.count ? ` (${options.skipMalformed.count} malformed records skipped)` : '';
    throw new GlueFormatError({ file, line: 1 }, `expected at least one ${options.format.toUpperCase()} record; the file has none${skipped}`);
  }
}

/** A TSV whose header is a GLUE download layout is read by that layout's columns, unless columns were chosen. */
function columnOptions(options: DataFileOptions, header: readonly string[]): DataFileOptions {
  if (options.format !== 'tsv' || options.textColumns) return options;
  const glue = glueTsvColumns(options.task, header);
  return glue ? { ...options, ...glue, ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}) } : options;
}

interface Row {
  fields: string[];
  line: number;
  /** Column names standing in for a header this file lacks (CoLA's header-less layout); the row itself is data. */
  header?: string[];
}

/** TSV rows as GLUE is read: split on `\n` and `\t`, quoting off, a final `\r` dropped. */
async function* tsvRows(source: TextSource, file: string, task: string | undefined): AsyncGenerator<Row> {
  let first = true;
  for await (const { text, line } of readLines(source, file)) {
    const fields = text.split('\t');
    const header = first ? colaHeaderless(task, fields) : null;
    first = false;
    yield header ? { fields, line, header } : { fields, line };
  }
}

/** Records as objects keyed by the header; streaming. */
async function* delimitedRecords(rows: AsyncIterable<Row>, file: string): AsyncGenerator<NamedRecord> {
  let header: string[] | null = null;
  for await (const r of rows) {
    const { fields, line } = r;
    if (header === null && r.header) header = r.header;
    else if (header === null) {
      header = fields;
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name)) throw new GlueFormatError({ file, line }, `expected distinct column names in the header; found ${shown(name)} twice`);
        seen.add(name);
      }
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== header.length) {
      yield { row: {}, line, malformed: new GlueFormatError({ file, line }, `expected ${header.length} fields as in the header; found ${fields.length}`) };
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i]!;
    yield { row, line };
  }
  if (header === null) throw new GlueFormatError({ file, line: 1 }, 'expected a header line; the file is empty');
}

/** RFC 4180 rows: one character state machine. */
async function* delimitedRows(source: TextSource, file: string, delimiter: string): AsyncGenerator<Row> {
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just closed a quoted field
  let line = 1;
  let recordLine = 1;
  let pendingCR = false;
  let any = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  for await (const chunk of textChunks(source, file)) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      any = true;
      if (pendingCR) {
        pendingCR = false;
        if (c === '\n') continue; // the \n of a \r\n record end
      }
      if (quoted) {
        if (c === '"') {
          if (chunk[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            // a closing quote, unless this ends the chunk and the next one starts with `"`
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // `""` split across chunks: a literal quote, still inside the field
        field += '"';
        quoted = true;
        afterQuote = false;
        continue;
      }
      if (c === delimiter) endField();
      else if (c === '\n' || c === '\r') {
        endField();
        yield { fields, line: recordLine };
        fields = [];
        pendingCR = c === '\r';
        line++;
        recordLine = line;
      } else if (afterQuote) {
        throw new GlueFormatError({ file, line }, `expected ${shown(delimiter)} or a line end after a closing quote; found ${shown(c)}`);
      } else if (c === '"' && field === '') quoted = true;
      else field += c;
    }
  }
  if (quoted) throw new GlueFormatError({ file, line: recordLine }, 'expected a closing quote for the field opened on this line; the file ended');
  if (any && (field !== '' || fields.length > 0 || afterQuote)) {
    endField();
    yield { fields, line: recordLine };
  }
}

async function* jsonLinesRecords(source: TextSource, file: string): AsyncGenerator<NamedRecord> {
  for await (const { text, line } of readLines(source, file)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      yield { row: {}, line, malformed: new GlueFormatError({ file, line }, `expected one JSON object per line; found invalid JSON ${shown(text, 40)}`, { cause }) };
      continue;
    }
    if (isObject(value)) yield { row: value, line };
    else yield { row: {}, line, malformed: new GlueFormatError({ file, line }, `expected a JSON object; found ${shown(value, 40)}`) };
  }
}

async function* jsonRecords(source: TextSource, file: string): AsyncGenerator<NamedRecord> {
  let text = '';
  for await (const chunk of textChunks(source, file)) text += chunk;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new GlueFormatError({ file, line: 1 }, `expected a JSON document; ${(cause as Error).message}`, { cause });
  }
  const rows = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.data) ? doc.data : null;
  if (rows === null) throw new GlueFormatError({ file, line: 1 }, 'expected a JSON array of objects, or an object with a "data" array');
  for (let i = 0; i < rows.length; i++) {
    // JSON documents have no useful line numbers: report the record's 1-based position
    if (isObject(rows[i])) yield { row: rows[i] as Record<string, unknown>, line: i + 1 };
    else yield { row: {}, line: i + 1, malformed: new GlueFormatError({ file, line: i + 1 }, `expected record ${i + 1} to be an object; found ${shown(rows[i], 40)}`) };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
