import { createRequire } from 'node:module';
import { platform } from 'node:process';
import type { WasmBuffer } from './gemm.js';
import { blasOperand, type ExternalGemm, type GemmCall } from './external-gemm.js';

/** Where `loadBlas` looks for a CBLAS, in order, when no path is given (`EDORA_BLAS` comes first). */
export function blasCandidates(): string[] {
  if (platform === 'darwin') {
    return [
      '/System/Library/Frameworks/Accelerate.framework/Accelerate',
      '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
      '/usr/local/opt/openblas/lib/libopenblas.dylib',
    ];
  }
  if (platform === 'win32') return ['libopenblas.dll', 'openblas.dll'];
  // bare names go through the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache)
  return ['libopenblas.so.0', 'libopenblas.so', 'libopenblasp-r0.so', 'libopenblas64_.so.0'];
}

/** How to get a BLAS on this platform, for the message when none is found. */
export function blasInstallHint(): string {
  if (platform === 'darwin') return 'Accelerate ships with macOS; or `brew install openblas`';
  if (platform === 'win32') return 'put OpenBLAS (libopenblas.dll) on PATH';
  return 'Debian/Ubuntu: `sudo apt-get install libopenblas0-pthread`; Fedora: `sudo dnf install openblas-threads`';
}

export type BlasLoad =
  | { ok: true; gemm: ExternalGemm; path: string }
  | { ok: false; reason: string; searched: string[] };

export interface BlasOptions {
  /** A CBLAS shared library to load instead of searching (also `EDORA_BLAS`). */
  path?: string;
  /** Threads the BLAS may use (OpenBLAS only; Accelerate chooses itself). */
  threads?: number;
}

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type Sgemm = (
  order: number, ta: number, tb: number, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
) => void;

interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
}

function requireKoffi(): Koffi | string {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    return `the optional peer dependency koffi is not installed (${(e as Error).message.split('\n')[0]}); \`pnpm add koffi\``;
  }
}

/**
 * Finds and loads a CBLAS `cblas_sgemm` through koffi (no compiling). The result runs on
 * pointers into the wasm memory: koffi passes a typed array's own address, so nothing is copied
 * (checked in test/node-blas.test.ts by the address a C function sees).
 */
export function loadBlas(options: BlasOptions = {}): BlasLoad {
  const explicit = options.path ?? process.env['EDORA_BLAS'];
  const searched = explicit !== undefined && explicit !== '' ? [explicit] : blasCandidates();
  const koffi = requireKoffi();
  if (typeof koffi === 'string') return { ok: false, reason: koffi, searched: [] };
  // OpenBLAS's threads spin for 2^28 cycles after every call unless told otherwise; between
  // products that would take the cores from the wasm kernels. Read once, when the library loads.
  process.env['OPENBLAS_THREAD_TIMEOUT'] ??= '4';
  const errors: string[] = [];
  for (const path of searched) {
    let lib: ReturnType<Koffi['load']>;
    try {
      lib = koffi.load(path);
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    let sgemm: Sgemm;
    try {
      sgemm = lib.func('void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)') as Sgemm;
    } catch {
      errors.push(`${path}: has no cblas_sgemm`);
      continue;
    }
    let description = `BLAS (${path})`;
    let threads: BlasThreads | null = null;
    try {
      const config = lib.func('const char *openblas_get_config()') as () => string;
      description = `${config().split(' ').slice(0, 2).join(' ')} (${path})`;
      const set = lib.func('void openblas_set_num_threads(int)') as (n: number) => void;
      if (options.threads !== undefined) set(options.threads);
      const max = (lib.func('int openblas_get_num_threads()') as () => number)();
      threads = { set, max, now: max };
    } catch {
      // not OpenBLAS (Accelerate, a reference CBLAS): no version string, no thread control
    }
    return { ok: true, path, gemm: new BlasGemm(sgemm, description, threads) };
  }
  return { ok: false, reason: errors.join('; '), searched };
}

/**
 * Products with a dimension this small or smaller run on one BLAS thread. On such thin products
 * (the 768 × 26 blocks of a randomized SVD, rank-16 adapter products) a second OpenBLAS thread
 * buys 1.02–1.19× in wall time (up to 1.4× at 4096 rows) for 1.65–1.9× the CPU time (measured
 * with OpenBLAS 0.3.21, 2 cores; docs/benchmarks.md), so one thread is the better use of the
 * cores, and on a loaded machine it is also the faster one.
 */
export const BLAS_THIN_MAX = 32;

/** How many BLAS threads a product of M×K by K×N gets out of `max`. */
export function blasThreadsFor(M: number, N: number, K: number, max: number): number {
  return Math.min(M, N, K) <= BLAS_THIN_MAX ? 1 : max;
}

/** OpenBLAS's thread control: the setting is global, so it is changed only when a product needs another. */
interface BlasThreads {
  readonly set: (n: number) => void;
  readonly max: number;
  now: number;
}

class BlasGemm implements ExternalGemm {
  constructor(
    private readonly sgemm: Sgemm,
    readonly description: string,
    private readonly threads: BlasThreads | null,
  ) {}

  run(memory: WebAssembly.Memory, { a, b, out, alpha, beta, bias }: GemmCall): boolean {
    const [batch, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    const opA = blasOperand(M, K, a.strides[1]!, a.strides[2]!);
    const opB = blasOperand(K, N, b.strides[1]!, b.strides[2]!);
    const opC = blasOperand(M, N, out.strides[1]!, out.strides[2]!);
    if (!opA || !opB || !opC || opC.transposed) return false;
    if (bias && beta !== 0) return false; // matmulBiasAct has beta 0: the bias is laid in C first
    // a fresh view each call: growing the memory replaces its buffer (the addresses stay)
    const f32 = new Float32Array(memory.buffer);
    const base = (v: { buffer: unknown; offset: number }): number => (v.buffer as WasmBuffer).ptr / 4 + v.offset;
    const a0 = base(a), b0 = base(b), c0 = base(out);
    const u8 = new Uint8Array(memory.buffer);
    const th = this.threads;
    if (th) {
      const want = blasThreadsFor(M, N, K, th.max);
      if (want !== th.now) {
        th.set(want);
        th.now = want;
      }
    }
    for (let i = 0; i < batch; i++) {
      const ai = a0 + i * a.strides[0]!, bi = b0 + i * b.strides[0]!, ci = c0 + i * out.strides[0]!;
      if (bias) layBias(f32, u8, base(bias), bias.strides[0]!, ci, M, N, opC.ld);
      this.sgemm(
        ROW_MAJOR, opA.transposed ? TRANS : NO_TRANS, opB.transposed ? TRANS : NO_TRANS, M, N, K, alpha,
        f32.subarray(ai), opA.ld, f32.subarray(bi), opB.ld, bias ? 1 : beta, f32.subarray(ci), opC.ld,
      );
    }
    return true;
  }
}

/** Writes the bias into every row of C (then the product is added with beta = 1): row 0 by hand, the rest as memcpy. */
function layBias(f32: Float32Array, u8: Uint8Array, bias0: number, biasStride: number, c0: number, M: number, N: number, ldc: number): void {
  for (let j = 0; j < N; j++) f32[c0 + j] = f32[bias0 + j * biasStride]!;
  for (let r = 1; r < M; r++) u8.copyWithin((c0 + r * ldc) * 4, c0 * 4, (c0 + N) * 4);
}
