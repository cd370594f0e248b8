import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Selective install: @edora/tensor alone (with its one dependency, the dependency-free
// @edora/errors), packed as they would be published, installed with npm into an empty project,
// must import and compute without anything else from the monorepo.
const pkgDir = resolve(import.meta.dirname, '..');
const errorsDir = resolve(pkgDir, '..', 'errors');
const work = mkdtempSync(join(tmpdir(), 'edora-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds and packs one workspace package into `work`; returns the tarball's path. */
function pack(dir: string, name: string): string {
  execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'pipe' });
  const before = new Set(readdirSync(work));
  execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: dir, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
  expect(tarball, `pnpm pack produced a tarball of ${name}`).toBeDefined();
  return join(work, tarball!);
}

describe('published package', () => {
  it('packs, installs alone with npm, imports and runs a matmul', () => {
    const tarballs = [pack(errorsDir, '@edora/errors'), pack(pkgDir, '@edora/tensor')];
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--offline', ...tarballs], { cwd: app, stdio: 'pipe' });
    writeFileSync(
      join(app, 'main.js'),
      `import { tensor, matmul, reshape, EdoraError } from '@edora/tensor';
       const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
       let typed = false;
       try { reshape(c, [3]); } catch (e) { typed = e instanceof EdoraError && e.code === 'E_SHAPE'; }
       console.log(JSON.stringify({ c: Array.from(await c.data()), typed }));`,
    );
    const out = execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({ c: [19, 22, 43, 50], typed: true });
  }, 180_000);
});
