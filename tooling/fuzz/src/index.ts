/**
 * @edora/fuzz-kit — the project's deterministic fuzzing for parser tests: `fuzz(target)` runs
 * seeded cases with per-case time and memory bounds and, on a failure, shrinks the input and
 * reports the seed and the shortest input that still fails. Private; test-only (Node).
 */
export { FuzzRng } from './rng.js';
export { HOSTILE_JSON_VALUES, lieInJson, mutateBytes, mutateText } from './mutate.js';
export { fuzz, fuzzScale, type FuzzSummary, type FuzzTarget } from './run.js';
export { shrink, shrinkCandidates, showInput, type Shrinkable } from './shrink.js';
