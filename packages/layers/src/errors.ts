import { EdoraError } from '@edora/tensor';

/**
 * Errors of @edora/layers. Each says what was expected and what was found: the keys that are
 * missing or unexpected, the shapes that differ, the valid choices of an option.
 */

/** A state dict that does not fit a module: lists missing keys, unexpected keys and shape mismatches. */
export class StateDictError extends EdoraError {
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
  readonly shapeMismatches: readonly string[];
  constructor(message: string, detail: { missingKeys?: readonly string[]; unexpectedKeys?: readonly string[]; shapeMismatches?: readonly string[] } = {}) {
    super('E_STATE_DICT', message);
    this.missingKeys = detail.missingKeys ?? [];
    this.unexpectedKeys = detail.unexpectedKeys ?? [];
    this.shapeMismatches = detail.shapeMismatches ?? [];
  }
}

/** A dotted module path that names nothing, or a child name that is not a valid identifier. */
export class ModulePathError extends EdoraError {
  constructor(message: string) {
    super('E_MODULE_PATH', message);
  }
}

/** An adapter option outside its valid choices, or no module matching the target suffixes. */
export class AdapterConfigError extends EdoraError {
  constructor(message: string) {
    super('E_ADAPTER_CONFIG', message);
  }
}

/** An adapter file that does not fit the model: lists every key and shape that does not fit. */
export class AdapterFileError extends EdoraError {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = [], options?: { cause?: unknown }) {
    super('E_ADAPTER_FILE', message, options);
    this.problems = problems;
  }
}

/** Formats a list for an error message, eliding the middle of very long lists. */
export function listForMessage(items: readonly string[], max = 40): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`;
}
