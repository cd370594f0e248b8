/**
 * Every error EDoRA.ts throws on purpose is an `EdoraError` with a stable `code`, so callers can
 * branch on `err.code` and messages can change without breaking them. Messages say what was
 * expected and what was found (file:line for data, shapes for tensors, valid choices for options).
 * Codes are unique across EDoRA.ts; `name` is the subclass's name.
 */
export class EdoraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
