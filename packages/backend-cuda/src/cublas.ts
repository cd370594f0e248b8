import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Koffi, KoffiLibrary } from './koffi.js';

/** The cuBLAS entry points used, by their exported names (cuBLAS 12 and 13). */
const PROTOTYPES = {
  cublasCreate_v2: 'int cublasCreate_v2(_Out_ void **handle)',
  cublasDestroy_v2: 'int cublasDestroy_v2(void *handle)',
  cublasSetStream_v2: 'int cublasSetStream_v2(void *handle, void *stream)',
  cublasSetMathMode: 'int cublasSetMathMode(void *handle, int mode)',
  cublasSgemmStridedBatched:
    'int cublasSgemmStridedBatched(void *handle, int transa, int transb, int m, int n, int k, float *alpha, ' +
    'uint64_t A, int lda, int64_t strideA, uint64_t B, int ldb, int64_t strideB, float *beta, uint64_t C, int ldc, ' +
    'int64_t strideC, int batchCount)',
} as const;

type CublasFn = keyof typeof PROTOTYPES;

export const CUBLAS_OP_N = 0;
export const CUBLAS_OP_T = 1;
/** cublasMath_t: plain fp32 (the default here), or TF32 tensor cores (changes numerics: opt-in). */
export const CUBLAS_DEFAULT_MATH = 0;
export const CUBLAS_TF32_TENSOR_OP_MATH = 3;
const SONAMES = ['libcublas.so.13', 'libcublas.so.12', 'libcublas.so'];

/**
 * Where cuBLAS is looked for, in order: the `cublasPath` option, EDORA_CUBLAS, the sonames
 * (found through LD_LIBRARY_PATH and the loader cache), then the `nvidia/cublas/lib` folder of a
 * Python `nvidia-cublas` wheel (how PyTorch ships it; asked of `python3` only when the sonames fail).
 */
export function cublasCandidates(path?: string, python = process.env.EDORA_PYTHON ?? 'python3'): string[] {
  if (path) return [path];
  if (process.env.EDORA_CUBLAS) return [process.env.EDORA_CUBLAS];
  return [...SONAMES, ...wheelLibraries(python)];
}

/** The cuBLAS libraries inside an installed `nvidia-cublas` wheel (nothing when there is none). */
function wheelLibraries(python: string): string[] {
  const found: string[] = [];
  let dirs: string[] = [];
  try {
    const script =
      'import importlib.util,os\n' +
      's=importlib.util.find_spec("nvidia.cublas")\n' +
      'print("\\n".join(list(s.submodule_search_locations or [])) if s else "")';
    dirs = execFileSync(python, ['-c', script], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l.trim() !== '');
  } catch {
    return found; // no python3 here, or it has no nvidia-cublas
  }
  for (const dir of dirs) {
    for (const so of SONAMES) {
      const p = join(dir, 'lib', so);
      if (existsSync(p)) found.push(p);
    }
  }
  return found;
}

/** A cuBLAS handle bound to the backend's stream. */
export class Cublas {
  readonly path: string;
  private readonly lib: KoffiLibrary;
  private readonly fns: Record<CublasFn, (...args: unknown[]) => number>;
  private handle: bigint;
  private readonly alpha = new Float32Array(1);
  private readonly beta = new Float32Array(1);

  private constructor(path: string, lib: KoffiLibrary, fns: Record<CublasFn, (...args: unknown[]) => number>, handle: bigint) {
    this.path = path;
    this.lib = lib;
    this.fns = fns;
    this.handle = handle;
  }

  /**
   * Opens the first candidate that loads and creates a handle on `stream`; null with the reasons
   * when none does (the backend then uses its own SGEMM kernel).
   */
  static open(koffi: Koffi, stream: bigint, candidates: string[], tf32: boolean): { cublas: Cublas | null; tried: string[] } {
    const tried: string[] = [];
    for (const candidate of candidates) {
      let lib: KoffiLibrary;
      try {
        lib = koffi.load(candidate);
      } catch (err) {
        tried.push(`${candidate}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      try {
        const fns = {} as Record<CublasFn, (...args: unknown[]) => number>;
        for (const [name, proto] of Object.entries(PROTOTYPES)) fns[name as CublasFn] = lib.func(proto);
        const h: [bigint | null] = [null];
        const created = fns.cublasCreate_v2(h);
        if (created !== 0 || h[0] === null) throw new Error(`cublasCreate_v2 returned status ${created}`);
        const handle = h[0];
        const s1 = fns.cublasSetStream_v2(handle, stream);
        const s2 = fns.cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
        if (s1 !== 0 || s2 !== 0) throw new Error(`cublasSetStream_v2/cublasSetMathMode returned ${s1}/${s2}`);
        return { cublas: new Cublas(candidate, lib, fns, handle), tried };
      } catch (err) {
        tried.push(`${candidate}: ${(err as Error).message}`);
        lib.unload();
      }
    }
    return { cublas: null, tried };
  }

  /**
   * Column-major C = α op(A) op(B) + β C for `batch` matrices at constant strides (elements).
   * Returns the cuBLAS status (0 on success).
   */
  sgemmStridedBatched(
    transa: number, transb: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, strideA: number, b: number, ldb: number, strideB: number,
    beta: number, c: number, ldc: number, strideC: number, batch: number,
  ): number {
    this.alpha[0] = alpha;
    this.beta[0] = beta;
    return this.fns.cublasSgemmStridedBatched(
      this.handle, transa, transb, m, n, k, this.alpha, a, lda, strideA, b, ldb, strideB, this.beta, c, ldc, strideC, batch,
    );
  }

  dispose(): void {
    if (this.handle !== 0n) this.fns.cublasDestroy_v2(this.handle);
    this.handle = 0n;
  }
}
