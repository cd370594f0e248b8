// Node-only entry (`@edora/models/node`): model folders on disk. Everything browser-safe is in the
// main entry.
export * from './checkpoint/node/index.js';
export * from './tokenizer/node.js';
