import { GlueFormatError } from './errors.js';

/**
 * Everything a browser-safe loader accepts: a whole text, whole bytes, or a stream of byte chunks
 * (a WHATWG `ReadableStream`, or any async iterable such as a Node `fs.ReadStream`). Streams are
 * read chunk by chunk, so a file of hundreds of MB never sits in memory at once.
 */
export type TextSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>;

/** Yields the source as decoded text pieces; a leading UTF-8 BOM is dropped (MRPC's files carry one). */
export async function* textChunks(source: TextSource, file: string): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    return;
  }
  // fatal: invalid UTF-8 is reported, not silently turned into U+FFFD
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesSoFar = 1;
  const decode = (bytes: Uint8Array | undefined, stream: boolean): string => {
    try {
      const s = bytes ? decoder.decode(bytes, { stream }) : decoder.decode();
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) linesSoFar++;
      return s;
    } catch (cause) {
      throw new GlueFormatError({ file, line: linesSoFar }, 'expected UTF-8 text; found an invalid byte sequence', { cause });
    }
  };
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    yield decode(source instanceof Uint8Array ? source : new Uint8Array(source), false);
    return;
  }
  let first = true;
  for await (const chunk of iterate(source)) {
    if (typeof chunk === 'string') {
      // TextDecoder drops a BOM from bytes; text chunks need it done here
      yield first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      first = false;
      continue;
    }
    first = false;
    const s = decode(chunk, true);
    if (s) yield s;
  }
  const tail = decode(undefined, false);
  if (tail) yield tail;
}

async function* iterate(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array | string> {
  // Some browsers' ReadableStream is not async-iterable; the reader works everywhere.
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array | string>;
}

/** One physical line, without its `\n`; `crlf` tells whether it ended in `\r\n` (the `\r` is removed). */
export interface Line {
  text: string;
  /** 1-based line number in the file. */
  line: number;
  crlf: boolean;
}

/**
 * Splits a source on `\n` only (GLUE files must be read with quoting off: fields hold unbalanced
 * `"`, so no quote may join lines). A final line without `\n` is still a line; an empty file
 * yields nothing.
 *
 * Linear in the input however it is chunked: only each new chunk is searched for `\n`, and the
 * pieces of a line that spans chunks are joined once, when it ends (a 16 MiB line in 64 KiB
 * chunks — a large file saved with CR-only line ends — used to be rescanned on every chunk).
 */
export async function* readLines(source: TextSource, file: string): AsyncGenerator<Line> {
  let pending: string[] = [];
  let line = 0;
  for await (const chunk of textChunks(source, file)) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      const text = pending.length === 0 ? piece : pending.join('') + piece;
      pending = [];
      yield lineOf(text, ++line);
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(start === 0 ? chunk : chunk.slice(start));
  }
  if (pending.length > 0) yield lineOf(pending.join(''), ++line);
}

function lineOf(text: string, line: number): Line {
  const crlf = text.length > 0 && text.charCodeAt(text.length - 1) === 13;
  return { text: crlf ? text.slice(0, -1) : text, line, crlf };
}
