/**
 * `@edora/tensor/backend-kit`: what a backend author builds on (see examples/backend-template).
 *
 * - `MemoryLedger`: the `memory()` bookkeeping, the same on every backend.
 * - `runKernelOrHost` / `supportsWithHostFallback`: a backend made of a partial kernel table;
 *   every op without a kernel runs on the cpu kernels through the backend's own read and write
 *   (`runOnHost`), counted per op (`fallbackCounts`, `backendStats()` in `@edora/tensor`).
 * - `runDense`: dense stand-ins for a backend whose kernels take contiguous operands only.
 * - Layout helpers (`collapseDims`, `forEachRow`, `isDense`, `byteSpan`, `viewSize`).
 * - The cpu backend's kernels and buffer layout (`cpuKernels`, `runCpuKernel`, `arrayOf`,
 *   `CpuBuffer`), for a CPU-side backend that reuses them on its own memory (wasm does).
 * - References a kernel must reproduce: Philox4x32-10 (`philox4x32`, `philoxUniforms`) and the
 *   scalar erf / GELU (`erfScalar`, `geluScalar`, `geluGradScalar`).
 */
export { MemoryLedger } from './ledger.js';
export { runOnHost } from './host-fallback.js';
export { runDense } from './dense.js';
export { runKernelOrHost, supportsWithHostFallback, type Kernel, type KernelTable, type KernelTableOptions } from './kernel-table.js';
export { fallbackCounts, resetFallbackCounts, type FallbackCounts } from './fallback-stats.js';
export { collapseDims, forEachRow, isDense, byteSpan, viewSize, type RowFn } from './layout.js';
export { arrayOf, type CpuBuffer } from '../cpu/buffer.js';
export { cpuKernels, runCpuKernel } from '../cpu/kernels/index.js';
export { philox4x32, philoxUniforms } from '../../rng/philox.js';
export { erf as erfScalar, gelu as geluScalar, geluGrad as geluGradScalar } from '../../math/erf.js';
