import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHA256 } from '../src/generated/kernels-wasm.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const toolchain = has('clang') && has('wasm-ld');
const embedded = Buffer.from(KERNELS_WASM_BASE64, 'base64');

describe('the committed kernels', () => {
  it('embedded module matches its recorded SHA-256 and imports nothing but the shared memory', () => {
    expect(createHash('sha256').update(embedded).digest('hex')).toBe(KERNELS_WASM_SHA256);
    const mod = new WebAssembly.Module(embedded);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(
      [
        '__heap_base', 'adamw_f32', 'binary_f32', 'copy4_b32', 'gelu_backward_f32', 'gelu_f32', 'gemm_pack_shared_b', 'gemm_scratch_floats',
        'layernorm_backward_f32', 'layernorm_f32', 'philox_f32', 'reduce_sum_f32', 'rownorm_f32', 'softmax_backward_f32', 'softmax_f32', 'task_work',
        'unary_f32',
      ],
    );
  });

  // CI installs clang and lld (Debian: apt-get install clang lld) so this runs there.
  it.skipIf(!toolchain)('build is reproducible: a fresh build of csrc/ equals the committed bytes (needs clang + wasm-ld)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edora-wasm-'));
    try {
      execFileSync('sh', ['scripts/build-wasm.sh', join(dir, 'kernels.wasm')], { cwd: pkg, stdio: 'pipe' });
      const fresh = readFileSync(join(dir, 'kernels.wasm'));
      expect(fresh.equals(embedded), 'src/generated/kernels-wasm.ts is stale: run `pnpm --filter @edora/backend-wasm build:wasm`').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
