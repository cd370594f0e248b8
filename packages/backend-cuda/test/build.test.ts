import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  KERNEL_ENTRIES, KERNELS_PTX_BASE64, KERNELS_PTX_SHA256, KERNELS_SM90_CUBIN_BASE64, KERNELS_SM90_CUBIN_SHA256,
} from '../src/generated/kernels-cuda.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const nvcc = process.env.NVCC ?? 'nvcc';
const hasNvcc = spawnSync(nvcc, ['--version'], { stdio: 'ignore' }).status === 0;
const ptx = Buffer.from(KERNELS_PTX_BASE64, 'base64');
const cubin = Buffer.from(KERNELS_SM90_CUBIN_BASE64, 'base64');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every extern "C" __global__ kernel declared in csrc/. */
function sourceEntries(): string[] {
  const names: string[] = [];
  for (const f of readdirSync(join(pkg, 'csrc')).filter((n) => n.endsWith('.cu'))) {
    for (const m of readFileSync(join(pkg, 'csrc', f), 'utf8').matchAll(/^extern "C" __global__ void (\w+)\(/gm)) names.push(m[1]!);
  }
  return names.sort();
}

describe('the committed kernels', () => {
  it('match their recorded SHA-256, target compute_75 / sm_90, and hold every kernel of csrc/', () => {
    expect(sha(ptx)).toBe(KERNELS_PTX_SHA256);
    expect(sha(cubin)).toBe(KERNELS_SM90_CUBIN_SHA256);
    const text = ptx.toString('utf8');
    expect(text).toMatch(/^\.target sm_75$/m);
    expect(cubin.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(cubin.readUInt16LE(18)).toBe(190); // EM_CUDA
    expect(KERNEL_ENTRIES).toEqual(sourceEntries());
    for (const e of KERNEL_ENTRIES) {
      expect(text, e).toContain(`.entry ${e}(`);
      expect(cubin.includes(Buffer.from(`.text.${e}\0`)), e).toBe(true);
    }
  });

  // nvcc is installed on the CI machines (CUDA 13.0, no GPU), so this runs there.
  it.skipIf(!hasNvcc)('are reproducible: a fresh nvcc build of csrc/ equals the committed PTX and cubin (needs nvcc)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edora-cuda-'));
    try {
      execFileSync('sh', ['scripts/build-kernels.sh', dir], { cwd: pkg, stdio: 'pipe' });
      const stale = 'src/generated/kernels-cuda.ts is stale: run `pnpm --filter @edora/backend-cuda build:kernels`';
      expect(readFileSync(join(dir, 'kernels.ptx')).equals(ptx), stale).toBe(true);
      expect(readFileSync(join(dir, 'kernels.sm_90.cubin')).equals(cubin), stale).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
