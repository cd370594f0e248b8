import { TokenizerFileError } from './errors.js';
import { jsonErrorOffset } from './json-error.js';

/** A tokenizer file's content: text, or its bytes (UTF-8). */
export type FileContent = string | Uint8Array;

/** The text of a file given as bytes or text; invalid UTF-8 is an error naming the file. */
export function fileText(content: FileContent, file: string): string {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch (cause) {
    throw new TokenizerFileError(file, undefined, 'expected UTF-8 text; found invalid UTF-8 bytes', { cause });
  }
}

/** JSON.parse, with a syntax error reported at its file and line. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const offset = jsonErrorOffset(text);
    const line = offset >= 0 ? lineAt(text, offset) : undefined;
    throw new TokenizerFileError(file, line, `expected JSON; ${message}`, { cause });
  }
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
