import type { BackendV1, OpName } from '../contract.js';

/**
 * How often each op of a backend took a slow path: `host` counts ops run on the cpu kernels
 * through the backend's read and write (the host fallback), `composite` counts tier-1 ops the
 * core composed from tier-0 ops because the backend has no fused kernel for them. A slow path is
 * never silent: `backendStats()` and `edora backends --verbose` show these.
 */
export interface FallbackCounts {
  readonly host: Readonly<Partial<Record<OpName, number>>>;
  readonly composite: Readonly<Partial<Record<OpName, number>>>;
}

interface Counters {
  host: Partial<Record<OpName, number>>;
  composite: Partial<Record<OpName, number>>;
}

/** On a globalThis symbol, like the registry: two copies of @edora/tensor count into one table. */
const KEY = Symbol.for('@edora/tensor/fallback-counts@1');

function table(): WeakMap<BackendV1, Counters> {
  const g = globalThis as unknown as Record<symbol, WeakMap<BackendV1, Counters> | undefined>;
  return (g[KEY] ??= new WeakMap());
}

function countersOf(backend: BackendV1): Counters {
  const t = table();
  let c = t.get(backend);
  if (!c) t.set(backend, (c = { host: {}, composite: {} }));
  return c;
}

export function countFallback(backend: BackendV1, kind: keyof Counters, op: OpName): void {
  const c = countersOf(backend)[kind];
  c[op] = (c[op] ?? 0) + 1;
}

/** A snapshot of the backend's fallback counters (zero counts are absent). */
export function fallbackCounts(backend: BackendV1): FallbackCounts {
  const c = countersOf(backend);
  return { host: { ...c.host }, composite: { ...c.composite } };
}

export function resetFallbackCounts(backend: BackendV1): void {
  table().delete(backend);
}
