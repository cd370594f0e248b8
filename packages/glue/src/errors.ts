import { EdoraError, formatValue } from '@edora/errors';

/**
 * @edora/glue does not depend on @edora/tensor (it installs alone); its errors extend the same
 * `EdoraError` as every other package's, from the dependency-free @edora/errors, so
 * `err instanceof EdoraError` holds whichever package threw.
 */
export { EdoraError };

/** Where in a data file something went wrong (1-based line; 0 when the whole file is at fault). */
export interface DataLocation {
  file: string;
  line: number;
}

/**
 * A data file that does not have the layout its format or task requires: wrong field count,
 * missing column, unknown label, empty file, CRLF where LF is required, invalid UTF-8...
 * The message starts with `file:line:`; the same facts are on `file` and `line`.
 */
export class GlueFormatError extends EdoraError {
  readonly file: string;
  readonly line: number;
  constructor(at: DataLocation, message: string, options?: { cause?: unknown }) {
    super('E_GLUE_FORMAT', `${at.file}:${at.line}: ${message}`, options);
    this.file = at.file;
    this.line = at.line;
  }
}

/** A file or directory that is not there (Node entry point only). */
export class GlueFileError extends EdoraError {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('E_GLUE_FILE', `${file}: ${message}`, options);
    this.file = file;
  }
}

/** A task or split name that is not registered; the message lists the valid choices. */
export class UnknownTaskError extends EdoraError {
  constructor(message: string) {
    super('E_GLUE_TASK', message);
  }
}

/** A bad argument: an option outside its valid choices, arrays of different lengths, ... */
export class GlueArgumentError extends EdoraError {
  constructor(message: string) {
    super('E_GLUE_ARGUMENT', message);
  }
}

/**
 * Quotes a found value for a message, short enough to read: a string as JSON text cut at `max`
 * characters, anything else (a JSONL field may be any JSON value) by `formatValue`, which never
 * runs the value's own code and bounds depth and length.
 */
export function shown(value: unknown, max = 60): string {
  if (typeof value !== 'string') return formatValue(value, { maxLength: max + 2 });
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
