import { BackendError } from '../errors.js';
import { BACKEND_API_VERSION, type BackendFactory, type BackendV1 } from './contract.js';
import { CpuBackend } from './cpu/index.js';

interface Entry {
  factory: BackendFactory;
  priority: number;
  instance?: BackendV1;
  pending?: Promise<BackendV1>;
}

interface RegistryState {
  entries: Map<string, Entry>;
  current: BackendV1 | null;
}

/**
 * The registry lives on a globalThis symbol so that two copies of @edora/tensor in one process
 * (a backend package resolving its own copy, say) still share one set of backends.
 */
const KEY = Symbol.for('@edora/tensor/registry@1');

function state(): RegistryState {
  const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
  let s = g[KEY];
  if (!s) {
    // the reference backend is always there, at the lowest priority
    s = { entries: new Map([['cpu', { factory: () => new CpuBackend(), priority: 0 }]]), current: null };
    g[KEY] = s;
  }
  return s;
}

function check(instance: BackendV1, name: string): BackendV1 {
  if (instance.apiVersion !== BACKEND_API_VERSION) {
    throw new BackendError(
      `backend "${name}" implements BackendV${String(instance.apiVersion)}, but this @edora/tensor speaks BackendV${BACKEND_API_VERSION}`,
    );
  }
  return instance;
}

/**
 * Registers a backend under `name`. Higher `priority` wins when no backend was chosen explicitly;
 * the built-in cpu backend has priority 0.
 */
export function registerBackend(name: string, factory: BackendFactory, options: { priority?: number } = {}): void {
  const s = state();
  const old = s.entries.get(name);
  if (old?.instance && s.current === old.instance) s.current = null;
  s.entries.set(name, { factory, priority: options.priority ?? 1 });
}

export function registeredBackends(): { name: string; priority: number; initialized: boolean }[] {
  return [...state().entries].map(([name, e]) => ({ name, priority: e.priority, initialized: !!e.instance }));
}

function entry(name: string): Entry {
  const e = state().entries.get(name);
  if (!e) {
    const known = [...state().entries.keys()];
    throw new BackendError(
      `no backend named "${name}" is registered (registered: ${known.join(', ') || 'none'}); ` +
        `install and import its package, e.g. "@edora/backend-${name}/register"`,
    );
  }
  return e;
}

/** Creates (once) and returns the backend `name`; async because GPU backends must request a device. */
export async function initBackend(name: string): Promise<BackendV1> {
  const e = entry(name);
  if (e.instance) return e.instance;
  if (!e.pending) {
    e.pending = Promise.resolve(e.factory()).then(
      (b) => {
        e.instance = check(b, name);
        return e.instance;
      },
      (err: unknown) => {
        e.pending = undefined;
        throw new BackendError(`backend "${name}" failed to initialize: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
        });
      },
    );
  }
  return e.pending;
}

/** The backend `name`, which must already be initialized (synchronous backends initialize here). */
export function findBackend(name: string): BackendV1 {
  const e = entry(name);
  if (e.instance) return e.instance;
  const made = e.factory();
  if (made instanceof Promise) {
    throw new BackendError(`backend "${name}" initializes asynchronously: await initBackend("${name}") or setBackend("${name}") first`);
  }
  e.instance = check(made, name);
  return e.instance;
}

/** Makes `name` the default backend for new tensors. */
export async function setBackend(name: string): Promise<BackendV1> {
  const b = await initBackend(name);
  state().current = b;
  return b;
}

/** Makes an already-created backend instance current (tests, embedding). */
export function useBackend(backend: BackendV1): void {
  state().current = check(backend, backend.name);
}

/**
 * The current backend: the one set explicitly, else the highest-priority registered backend that
 * initializes synchronously.
 */
export function getBackend(): BackendV1 {
  const s = state();
  if (s.current) return s.current;
  const byPriority = [...s.entries].sort((a, b) => b[1].priority - a[1].priority);
  for (const [name, e] of byPriority) {
    if (e.instance) {
      s.current = e.instance;
      return e.instance;
    }
    try {
      s.current = findBackend(name);
      return s.current;
    } catch {
      // async or failing backends are skipped for the implicit default
    }
  }
  throw new BackendError('no backend is registered; import "@edora/tensor" registers "cpu"');
}

/** Removes a backend's instance (after `dispose`), so the next use creates a fresh one. */
export async function disposeBackend(name: string): Promise<void> {
  const s = state();
  const e = s.entries.get(name);
  if (!e?.instance) return;
  const inst = e.instance;
  e.instance = undefined;
  e.pending = undefined;
  if (s.current === inst) s.current = null;
  await inst.dispose();
}
