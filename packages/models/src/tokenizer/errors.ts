import { EdoraError } from '@edora/tensor';

/**
 * A tokenizer file that cannot be used: unreadable JSON, a malformed merges line, a merge whose
 * parts or result are not in the vocabulary, a tokenizer.json component this tokenizer does not
 * implement. `file` and `line` locate the problem (line is 1-based; absent when it does not apply).
 */
export class TokenizerFileError extends EdoraError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string, options?: { cause?: unknown }) {
    super('E_TOKENIZER_FILE', `${line === undefined ? file : `${file}:${line}`}: ${message}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A special token (named in options or required by RoBERTa's framing) that the vocabulary lacks. */
export class SpecialTokenError extends EdoraError {
  readonly token: string;
  constructor(token: string, message: string) {
    super('E_SPECIAL_TOKEN', message);
    this.token = token;
  }
}
