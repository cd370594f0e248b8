import { getBackend, registeredBackends, setBackend, type BackendV1 } from '@edora/tensor';
import { UsageError } from './args.js';

/** Backends EDoRA.ts knows by short name; any other name is taken as a package that registers one. */
export const KNOWN_BACKENDS = ['cpu', 'wasm', 'webgpu', 'cuda', 'gpujs'] as const;

/** Packages tried, in order, to register backend `name`. */
function candidates(name: string): string[] {
  if (name === 'cpu') return [];
  if ((KNOWN_BACKENDS as readonly string[]).includes(name)) return [`@edora/backend-${name}/node-register`, `@edora/backend-${name}/register`, `@edora/backend-${name}`];
  return [name];
}

/** `--backend auto` (the default): the fastest CPU backend that loads here. WebGPU, CUDA only when asked. */
export const AUTO_BACKEND = 'auto';
const AUTO_ORDER = ['wasm', 'cpu'] as const;

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
  if (!registeredBackends().some((b) => b.name === name)) {
    const errors: string[] = [];
    for (const spec of candidates(name)) {
      try {
        await import(spec);
        if (registeredBackends().some((b) => b.name === name)) break;
      } catch (e) {
        errors.push(`${spec}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (!registeredBackends().some((b) => b.name === name)) {
      throw new UsageError(
        `--backend ${name}: not available (${errors.join('; ') || 'no package registered it'}); registered: ${registeredBackends().map((b) => b.name).join(', ')}; known: ${KNOWN_BACKENDS.join(', ')}`,
      );
    }
  }
  return setBackend(name);
}

export interface BackendStatus {
  name: string;
  usable: boolean;
  device?: string;
  detail?: string;
}

/** What is installed and usable: tries each known backend and reports its device or why not. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const current = getBackend();
  const out: BackendStatus[] = [];
  for (const name of KNOWN_BACKENDS) {
    try {
      const b = await selectBackend(name);
      out.push({ name, usable: true, device: b.capabilities.device });
    } catch (e) {
      out.push({ name, usable: false, detail: (e as Error).message });
    }
  }
  await setBackend(current.name);
  return out;
}
