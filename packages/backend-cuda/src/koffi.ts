import { createRequire } from 'node:module';
import { CudaUnavailableError } from './errors.js';

/** The parts of koffi this package uses (an optional peer dependency, loaded on first use). */
export interface Koffi {
  load(path: string): KoffiLibrary;
  alloc(type: string, length: number): bigint;
  free(ptr: bigint): void;
  view(ptr: bigint, length: number): ArrayBuffer;
}

export interface KoffiLibrary {
  func(prototype: string): (...args: unknown[]) => number;
  unload(): void;
}

let koffi: Koffi | null = null;

/** koffi, or a typed error saying how to install it. */
export function loadKoffi(): Koffi {
  if (koffi) return koffi;
  try {
    // koffi is CommonJS with a native addon; require keeps the load synchronous
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (err) {
    throw new CudaUnavailableError(
      'the optional peer dependency `koffi` is not installed: run `npm i koffi` (it ships prebuilt binaries; nothing compiles)',
      { cause: err },
    );
  }
  return koffi;
}
