/**
 * @edora/demo — the base model of EDoRA.ts's demo, browser-safe: the `tiny` RoBERTa preset
 * pretrained on the embedded synthetic sentences to name their two animals, and the word-level
 * tokenizer it reads them with. `edora demo` caches it in a folder; the studio pretrains it in a
 * Web Worker and keeps it in the browser's storage.
 */
export { animalPairOf, pretrainAnimalRoles, pretrainingSentences, syntheticVocabulary, type PretrainOptions } from './pretraining.js';
export { MAX_WORDS, WORDS_FILE, parseWordList, wordTokenizer, type WordTokenizer } from './word-tokenizer.js';
export {
  DEFAULT_DEMO_BASE, DEMO_BASE_OBJECTIVE, DEMO_RECORD_FILE, demoBaseFiles, matchingDemoRecord, pretrainDemoBase,
  type DemoBaseHooks, type DemoBaseRecord, type DemoBaseSettings, type PretrainedDemoBase,
} from './base.js';
