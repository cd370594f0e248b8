export { GpujsBackend, type GpujsBackendOptions } from './backend.js';
export type { CompileStats } from './programs.js';
export { webgl2Available } from './webgl2.js';
