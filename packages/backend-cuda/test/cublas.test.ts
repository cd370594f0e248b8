import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cublasCandidates } from '../src/index.js';
import { noStandinReason, standinBackend, standinCublas } from './standin.js';

const koffi = createRequire(import.meta.url)('koffi') as { load(p: string): { func(proto: string): () => number } };

describe('where cuBLAS is looked for', () => {
  it('the option first, then EDORA_CUBLAS, else the sonames and then a Python wheel', () => {
    expect(cublasCandidates('/x/libcublas.so.12')).toEqual(['/x/libcublas.so.12']);
    const saved = process.env.EDORA_CUBLAS;
    process.env.EDORA_CUBLAS = '/y/libcublas.so.13';
    try {
      expect(cublasCandidates()).toEqual(['/y/libcublas.so.13']);
    } finally {
      if (saved === undefined) delete process.env.EDORA_CUBLAS;
      else process.env.EDORA_CUBLAS = saved;
    }
    expect(cublasCandidates(undefined, '/nonexistent/python3').slice(0, 3)).toEqual(['libcublas.so.13', 'libcublas.so.12', 'libcublas.so']);
  });
});

describe.skipIf(noStandinReason !== null)(`cuBLAS on the stand-in${noStandinReason ? ` (skipped: ${noStandinReason})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'edora-cublas-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found in a Python nvidia-cublas wheel (nvidia/cublas/lib), as PyTorch installs it', async () => {
    // a wheel layout and an interpreter that reports it, as `python3` does with the wheel installed
    const pkg = join(dir, 'site-packages', 'nvidia', 'cublas');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    copyFileSync(standinCublas, join(pkg, 'lib', 'libcublas.so.13'));
    const python = join(dir, 'python3');
    writeFileSync(python, `#!/bin/sh\necho ${pkg}\n`);
    chmodSync(python, 0o755);
    expect(cublasCandidates(undefined, python)).toContain(join(pkg, 'lib', 'libcublas.so.13'));
    const saved = process.env.EDORA_PYTHON;
    process.env.EDORA_PYTHON = python;
    try {
      const b = await standinBackend({ cublasPath: undefined });
      expect(b.gemm).toEqual({ library: 'cublas', path: join(pkg, 'lib', 'libcublas.so.13'), tf32: false });
      b.dispose();
    } finally {
      if (saved === undefined) delete process.env.EDORA_PYTHON;
      else process.env.EDORA_PYTHON = saved;
    }
  });

  it('TF32 tensor-op math only with tf32: true (cublasSetMathMode 3), plain fp32 (0) otherwise', async () => {
    const mode = koffi.load(standinCublas).func('int edora_standin_math_mode()');
    const plain = await standinBackend({ cublasPath: standinCublas });
    expect(mode()).toBe(0);
    plain.dispose();
    const tf32 = await standinBackend({ cublasPath: standinCublas, tf32: true });
    expect(mode()).toBe(3);
    expect(tf32.gemm).toMatchObject({ library: 'cublas', tf32: true });
    tf32.dispose();
  });

  it('a library that is not cuBLAS leaves the own SGEMM, saying why', async () => {
    const b = await standinBackend({ cublasPath: '/nonexistent/libcublas.so.13' });
    expect(b.gemm.library).toBe('own-sgemm');
    expect(b.gemm.library === 'own-sgemm' && b.gemm.reason).toMatch(/cuBLAS not found \(\/nonexistent\/libcublas\.so\.13: /);
    b.dispose();
  });
});
