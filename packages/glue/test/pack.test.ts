import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Selective install: @edora/glue alone — packed as it would be published, installed with npm into
// an empty project next to its two dependencies (hyparquet, packed from this checkout so the test
// needs no network, and the dependency-free @edora/errors) — loads GLUE data and scores predictions
// without any tensor package.
const pkgDir = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'edora-glue-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('published package', () => {
  it('depends on no @edora package but @edora/errors, and no source file imports another', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).sort()).toEqual(['@edora/errors', 'hyparquet']);
    for (const file of readdirSync(join(pkgDir, 'src'))) {
      const text = readFileSync(join(pkgDir, 'src', file), 'utf8');
      expect(text, file).not.toMatch(/from '@edora\/(?!errors')/);
    }
  });

  it('packs, installs alone with npm (offline), loads a TSV file and computes metrics', () => {
    const errorsDir = resolve(pkgDir, '..', 'errors');
    for (const dir of [errorsDir, pkgDir]) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'pipe' });
      execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: dir, stdio: 'pipe' });
    }
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: join(pkgDir, 'node_modules', 'hyparquet'), stdio: 'pipe' });
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual([
      expect.stringMatching(/^edora-errors-.*\.tgz$/), expect.stringMatching(/^edora-glue-.*\.tgz$/), expect.stringMatching(/^hyparquet-.*\.tgz$/),
    ]);
    const app = join(work, 'app');
    mkdirSync(join(app, 'SST-2'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.map((t) => join(work, t))], { cwd: app, stdio: 'pipe' });
    writeFileSync(join(app, 'SST-2', 'dev.tsv'), 'sentence\tlabel\ngood .\t1\nbad .\t0\n');
    writeFileSync(
      join(app, 'main.js'),
      `import { computeGlueMetrics } from '@edora/glue';
       import { loadGlueTask } from '@edora/glue/node';
       const rows = await loadGlueTask('.', 'sst2', 'validation');
       const metrics = computeGlueMetrics('mrpc', [1, 0, 1, 1], [1, 0, 0, 1]);
       console.log(JSON.stringify({ rows, metrics }));`,
    );
    const out = JSON.parse(execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8' }).trim());
    expect(out.rows).toEqual([{ idx: 0, textA: 'good .', label: 1 }, { idx: 1, textA: 'bad .', label: 0 }]);
    expect(out.metrics).toEqual({ accuracy: 0.75, f1: 0.8, combined_score: 0.775 });
    expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.')).sort()).toEqual(['@edora', 'hyparquet']);
    expect(readdirSync(join(app, 'node_modules', '@edora')).sort()).toEqual(['errors', 'glue']);
  }, 180_000);
});
