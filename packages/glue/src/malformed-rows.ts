import { GlueFormatError } from './errors.js';

/**
 * Collects the rows a loader skipped because they were malformed, when the caller asked to skip
 * them instead of failing (`skipMalformed: new MalformedRows()`): how many, and the errors of the
 * first few, each with its file:line. Skipping is opt-in: without a collector the first malformed
 * row throws its `GlueFormatError`, as before.
 *
 * A row is malformed when its own content is wrong (field count, label, score, a record that is
 * not an object, a text field that is not text). Faults of the whole file (missing header column,
 * empty file, invalid UTF-8, CRLF under `allowCrlf: false`, an unterminated quote) still throw:
 * skipping rows cannot repair them.
 */
export class MalformedRows {
  /** How many rows were skipped. */
  count = 0;
  /** The errors of the first `keep` skipped rows, in file order. */
  readonly first: GlueFormatError[] = [];

  constructor(readonly keep = 5) {}

  /** Records one skipped row. */
  add(error: GlueFormatError): void {
    this.count++;
    if (this.first.length < this.keep) this.first.push(error);
  }

  /** One paragraph for a log: the count, then the first reasons, one per line. */
  summary(): string {
    if (this.count === 0) return 'no malformed rows skipped';
    const more = this.count > this.first.length ? `\n  … and ${this.count - this.first.length} more` : '';
    return `skipped ${this.count} malformed row${this.count === 1 ? '' : 's'}${this.first.length ? `; the first ${this.first.length}:` : ''}\n${this.first.map((e) => `  ${e.message}`).join('\n')}${more}`;
  }
}

/**
 * Runs `read` for one row: its value, or — when `skip` collects malformed rows and `read` throws a
 * `GlueFormatError` — null after recording the error. Any other error propagates.
 */
export function readRow<T>(skip: MalformedRows | undefined, read: () => T): T | null {
  if (!skip) return read();
  try {
    return read();
  } catch (e) {
    if (!(e instanceof GlueFormatError)) throw e;
    skip.add(e);
    return null;
  }
}
