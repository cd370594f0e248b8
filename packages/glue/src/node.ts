/**
 * Node entry point (`@edora/glue/node`): the file-system side of the loaders. Files are streamed
 * (a 1 MiB chunk at a time for text; row group by row group for parquet), so QQP's and MNLI's
 * hundreds of MB never sit in memory as text.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { dataFileFormatOf } from './data-blob.js';
import { parseDataFile, type DataFileOptions } from './data-files.js';
import { GlueArgumentError, GlueFileError, UnknownTaskError } from './errors.js';
import { collect, glueTsvFileName, parseGlueDiagnosticTsv, parseGlueTsv, type GlueTsvOptions } from './glue-tsv.js';
import { parseParquet } from './parquet.js';
import type { SubmissionFile } from './submission.js';
import { checkSplit, getTask, type GlueExample } from './tasks.js';

export * from './index.js';

const CHUNK = 1 << 20;

export interface LoadGlueOptions extends GlueTsvOptions {
  /**
   * Which layout `dir` holds: the GLUE download script's (`<dir>/SST-2/train.tsv`), HF datasets'
   * parquet export (`<dir>/sst2/train-00000-of-00001.parquet`), or `auto` (the default): TSV when
   * the task's GLUE folder exists, else parquet.
   */
  layout?: 'auto' | 'tsv' | 'parquet';
}

/** Streams one split of a GLUE task from a data directory (see `LoadGlueOptions.layout`). */
export async function* streamGlueTask(dir: string, task: string, split: string, options: LoadGlueOptions = {}): AsyncGenerator<GlueExample> {
  const spec = getTask(task);
  checkSplit(spec, split);
  if (spec.glueDir === null) {
    throw new UnknownTaskError(`task ${spec.name} is generated, not loaded from files: use syntheticExamples('${spec.name}', '${split}', { seed })`);
  }
  const layout = checkLayout(options.layout);
  const tsvDir = join(dir, spec.glueDir);
  if (layout === 'tsv' || (layout === 'auto' && (await isDirectory(tsvDir)))) {
    yield* streamGlueTsvFile(join(tsvDir, glueTsvFileName(task, split)), task, split, options);
    return;
  }
  const shards = await parquetShards(join(dir, spec.name), split);
  if (shards.length === 0) {
    throw new GlueFileError(
      dir,
      `no ${spec.name} ${split} data; expected ${join(tsvDir, glueTsvFileName(task, split))} (GLUE layout) or ${join(dir, spec.name, `${split}-*.parquet`)} (HF parquet layout)`,
    );
  }
  let position = 0;
  for (const shard of shards) {
    for await (const example of streamParquetFile(shard, { task, firstPosition: position, skipMalformed: options.skipMalformed })) {
      position++;
      yield example;
    }
  }
}

/** Where the AX diagnostic TSV may sit in a data directory: the download script's file, or the GLUE site's `AX.tsv`. */
export const DIAGNOSTIC_TSV_PATHS = [join('diagnostic', 'diagnostic.tsv'), join('diagnostic', 'AX.tsv'), 'AX.tsv'] as const;

/**
 * Streams the GLUE diagnostic set AX from a data directory: the first of `DIAGNOSTIC_TSV_PATHS`
 * that exists, else HF's parquet export (`<dir>/ax/test-*.parquet`, premise/hypothesis columns).
 * Unlabelled MNLI-shaped pairs: predict them with an MNLI model for `glueSubmission('ax', ...)`.
 */
export async function* streamGlueDiagnostic(dir: string, options: LoadGlueOptions = {}): AsyncGenerator<GlueExample> {
  const layout = checkLayout(options.layout);
  if (layout !== 'parquet') {
    for (const candidate of DIAGNOSTIC_TSV_PATHS) {
      const path = join(dir, candidate);
      if (await isFile(path)) {
        yield* parseGlueDiagnosticTsv(createReadStream(path, { highWaterMark: CHUNK }), { ...options, file: options.file ?? path });
        return;
      }
    }
  }
  const shards = layout === 'tsv' ? [] : await parquetShards(join(dir, 'ax'), 'test');
  if (shards.length === 0) {
    const tsv = DIAGNOSTIC_TSV_PATHS.map((p) => join(dir, p)).join(', ');
    const parquet = join(dir, 'ax', 'test-*.parquet');
    throw new GlueFileError(dir, `no AX diagnostic data; expected ${layout === 'parquet' ? parquet : layout === 'tsv' ? tsv : `one of ${tsv} (GLUE layout) or ${parquet} (HF parquet layout)`}`);
  }
  let position = 0;
  for (const shard of shards) {
    for await (const example of streamParquetFile(shard, { task: 'mnli', firstPosition: position, skipMalformed: options.skipMalformed })) {
      position++;
      yield example;
    }
  }
}

/** Loads the AX diagnostic set (1,104 pairs) into memory; see `streamGlueDiagnostic`. */
export function loadGlueDiagnostic(dir: string, options: LoadGlueOptions = {}): Promise<GlueExample[]> {
  return collect(streamGlueDiagnostic(dir, options));
}

/** Loads one split of a GLUE task into memory (for the small tasks and dev sets). */
export function loadGlueTask(dir: string, task: string, split: string, options: LoadGlueOptions = {}): Promise<GlueExample[]> {
  return collect(streamGlueTask(dir, task, split, options));
}

/** Streams a GLUE TSV file (the original layout, quoting off); errors name this path. */
export async function* streamGlueTsvFile(path: string, task: string, split: string, options: GlueTsvOptions = {}): AsyncGenerator<GlueExample> {
  await mustBeFile(path);
  yield* parseGlueTsv(createReadStream(path, { highWaterMark: CHUNK }), task, split, { ...options, file: options.file ?? path });
}

/** Streams a parquet file through a file handle: only the footer and the needed column chunks are read. */
export async function* streamParquetFile(path: string, options: Parameters<typeof parseParquet>[1] = {}): AsyncGenerator<GlueExample> {
  const size = await mustBeFile(path);
  const handle = await open(path, 'r');
  try {
    const buffer: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end = size) {
        const bytes = new Uint8Array(end - start);
        let done = 0;
        while (done < bytes.length) {
          const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return bytes.buffer;
      },
    };
    yield* parseParquet(buffer, { ...options, file: options.file ?? path });
  } finally {
    await handle.close();
  }
}

/**
 * Streams a user data file (like run_glue's `--train_file`): CSV, TSV, JSON Lines or JSON, chosen
 * by `options.format` or else by the extension (`dataFileFormatOf`); `.parquet` goes to the parquet reader.
 */
export async function* streamDataFile(path: string, options: Partial<DataFileOptions> = {}): AsyncGenerator<GlueExample> {
  const format = dataFileFormatOf(path, options.format);
  if (format === 'parquet') {
    yield* streamParquetFile(path, options);
    return;
  }
  await mustBeFile(path);
  yield* parseDataFile(createReadStream(path, { highWaterMark: CHUNK }), { ...options, format, file: options.file ?? path });
}

/** Writes submission files into `dir` (created if needed), each atomically (temp file, then rename). */
export async function writeSubmissionFiles(dir: string, files: readonly SubmissionFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const f of files) {
    const path = join(dir, f.fileName);
    await writeFile(`${path}.tmp`, f.contents);
    await rename(`${path}.tmp`, path);
    written.push(path);
  }
  return written;
}

async function parquetShards(taskDir: string, split: string): Promise<string[]> {
  if (!(await isDirectory(taskDir))) return [];
  // `train-00000-of-00002.parquet` but not `train_extra-…`; the shard numbers sort as text
  const prefix = `${split}-`;
  return (await readdir(taskDir))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.parquet'))
    .sort()
    .map((f) => join(taskDir, f));
}

async function mustBeFile(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new GlueFileError(path, 'expected a file; found a directory or special file');
    return s.size;
  } catch (cause) {
    if (cause instanceof GlueFileError) throw cause;
    throw new GlueFileError(path, `expected a readable file; ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (cause as Error).message}`, { cause });
  }
}

function checkLayout(layout: LoadGlueOptions['layout']): 'auto' | 'tsv' | 'parquet' {
  const l = layout ?? 'auto';
  if (l !== 'auto' && l !== 'tsv' && l !== 'parquet') {
    throw new GlueArgumentError(`expected layout 'auto', 'tsv' or 'parquet'; found ${JSON.stringify(l)}`);
  }
  return l;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
