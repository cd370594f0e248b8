import type { BackendV1, MemoryInfo } from './contract.js';
import { fallbackCounts, type FallbackCounts } from './kit/fallback-stats.js';
import { getBackend } from './registry.js';

export interface BackendStats {
  readonly name: string;
  readonly device: string;
  readonly memory: MemoryInfo;
  /** Ops that ran on the host fallback or as core composites, per op (see `FallbackCounts`). */
  readonly fallbacks: FallbackCounts;
}

/** What a backend holds and which of its ops took a slow path (the current backend by default). */
export function backendStats(backend: BackendV1 = getBackend()): BackendStats {
  return { name: backend.name, device: backend.capabilities.device, memory: backend.memory(), fallbacks: fallbackCounts(backend) };
}
