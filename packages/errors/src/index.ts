/**
 * @edora/errors — the one `EdoraError` base. Every EDoRA.ts package, including those that do not
 * depend on @edora/tensor (@edora/glue), throws subclasses of this class, so
 * `err instanceof EdoraError` holds whichever package threw; and `formatValue`, which shows a found
 * value in a message safely. No dependencies, browser-safe.
 */
export { EdoraError } from './edora-error.js';
export { formatValue, type FormatValueOptions } from './format-value.js';
