import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Selective install: @edora/tensor alone, packed as it would be published, installed with npm
// into an empty project, must import and compute without anything else from the monorepo.
const pkgDir = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'edora-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('published package', () => {
  it('packs, installs alone with npm, imports and runs a matmul', () => {
    execFileSync('pnpm', ['run', 'build'], { cwd: pkgDir, stdio: 'pipe' });
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: pkgDir, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'pnpm pack produced a tarball').toBeDefined();
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball!)], { cwd: app, stdio: 'pipe' });
    writeFileSync(
      join(app, 'main.js'),
      `import { tensor, matmul } from '@edora/tensor';
       const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
       console.log(JSON.stringify(Array.from(await c.data())));`,
    );
    const out = execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual([19, 22, 43, 50]);
  }, 180_000);
});
