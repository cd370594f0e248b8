import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getBackend, registeredBackends, setBackend, type BackendV1 } from '@edora/tensor';
import { UsageError } from './args.js';

/**
 * Backends in this repository, by short name; any other `--backend` value is taken as the name of
 * a package that registers one (a third-party plugin, `@edora/backend-template`, ...).
 */
export const KNOWN_BACKENDS = ['cpu', 'wasm', 'webgpu', 'cuda', 'gpujs'] as const;

/** `--backend auto` (the default): the fastest CPU backend that loads here. WebGPU, CUDA, gpu.js only when asked. */
export const AUTO_BACKEND = 'auto';
const AUTO_ORDER = ['wasm', 'cpu'] as const;

/** Modules tried, in order, to register backend `name`: a known backend's package, or the package `name`. */
function candidates(name: string): string[] {
  if (name === 'cpu') return [];
  const pkg = (KNOWN_BACKENDS as readonly string[]).includes(name) ? `@edora/backend-${name}` : name;
  return [`${pkg}/node-register`, `${pkg}/register`, pkg];
}

/** Registry name of the backend a package registered (a package's name need not be its backend's). */
const registeredBy = new Map<string, string>();

const names = (): string[] => registeredBackends().map((b) => b.name);

/**
 * Imports `spec` as the CLI resolves it (packages installed beside it), else as the working
 * directory does (a plugin installed in, or being developed in, the folder edora runs from).
 */
async function importFromHereOrCwd(spec: string): Promise<void> {
  try {
    await import(spec);
    return;
  } catch (err) {
    if (codeOf(err) !== 'ERR_MODULE_NOT_FOUND') throw err;
    let resolved: string;
    try {
      resolved = createRequire(join(process.cwd(), 'package.json')).resolve(spec);
    } catch (fromCwd) {
      // found in the working directory, but without this entry point: say that, not "not found"
      throw codeOf(fromCwd) === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ? fromCwd : err;
    }
    await import(pathToFileURL(resolved).href);
  }
}

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;
const firstLine = (err: unknown): string => ((err as Error)?.message ?? String(err)).split('\n')[0]!;

/** A backend of this repository named by its package (`@edora/backend-webgpu`): its short name. */
function shortName(name: string): string {
  const m = /^@edora\/backend-(.+)$/.exec(name);
  return m && (KNOWN_BACKENDS as readonly string[]).includes(m[1]!) ? m[1]! : name;
}

/** Imports what registers `name` and returns the registry name it registered under. */
async function register(requested: string): Promise<string> {
  const name = shortName(requested);
  if (names().includes(name)) return name;
  const known = registeredBy.get(name);
  if (known) return known;
  const errors: string[] = [];
  for (const spec of candidates(name)) {
    const before = new Set(names());
    try {
      await importFromHereOrCwd(spec);
    } catch (e) {
      // the package has no such entry point (not every one has node-register): try the next
      if (codeOf(e) === 'ERR_PACKAGE_PATH_NOT_EXPORTED') continue;
      errors.push(`${spec}: ${firstLine(e)}`);
      // a package that is not installed has none of its entry points either
      if (codeOf(e) === 'ERR_MODULE_NOT_FOUND' && /Cannot find package/.test(firstLine(e))) break;
      continue;
    }
    if (names().includes(name)) return name;
    const added = names().filter((n) => !before.has(n));
    if (added.length === 1) {
      registeredBy.set(name, added[0]!);
      return added[0]!;
    }
    if (added.length > 1) {
      throw new UsageError(`--backend ${name}: importing ${spec} registered several backends (${added.join(', ')}); pass one of them`);
    }
  }
  throw new UsageError(
    `--backend ${name}: not available (${errors.join('; ') || 'no entry point of it registered a backend'}); registered: ${names().join(', ')}; ` +
      `in this repository: ${KNOWN_BACKENDS.join(', ')}; any other value is a package that calls registerBackend`,
  );
}

/**
 * Imports the package that registers `name` (if not registered yet) and makes it the current
 * backend; `auto` takes the first of wasm, cpu that loads.
 */
export async function selectBackend(name: string): Promise<BackendV1> {
  if (name === AUTO_BACKEND) {
    for (const candidate of AUTO_ORDER) {
      try {
        return await selectBackend(candidate);
      } catch {
        // not installed or not loadable here: the next one (cpu always is)
      }
    }
  }
  return setBackend(await register(name));
}

export interface BackendStatus {
  name: string;
  usable: boolean;
  device?: string;
  detail?: string;
  /** The instance, when usable (for --verbose). */
  backend?: BackendV1;
}

/** What is installed and usable: tries each backend of the repository (and `extra` packages) and reports its device or why not. */
export async function probeBackends(extra: readonly string[] = []): Promise<BackendStatus[]> {
  const current = getBackend();
  const out: BackendStatus[] = [];
  for (const name of [...KNOWN_BACKENDS, ...extra]) {
    try {
      const b = await selectBackend(name);
      out.push({ name, usable: true, device: b.capabilities.device, backend: b });
    } catch (e) {
      out.push({ name, usable: false, detail: (e as Error).message });
    }
  }
  await setBackend(current.name);
  return out;
}
