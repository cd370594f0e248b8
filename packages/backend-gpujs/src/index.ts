export { GpujsBackend, type GpujsBackendOptions } from './backend.js';
export type { CompileStats } from './programs.js';
