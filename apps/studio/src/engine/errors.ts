import { EdoraError } from '@edora/errors';

/**
 * A request the studio cannot carry out as asked: a step taken out of order (train before a model
 * is loaded), a saved state that does not fit the form, a download with nothing to offer. The
 * message says what was expected and what was found.
 */
export class StudioError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_STUDIO', message, options);
  }
}
