// Node-only entry (`@edora/tensor/node`): file-system access. Everything browser-safe is in the
// main entry.
export { openSafetensorsFile, readSafetensorsFile, type SafetensorsFile } from './io/node/read-file.js';
export { writeSafetensorsFile } from './io/node/write-file.js';
