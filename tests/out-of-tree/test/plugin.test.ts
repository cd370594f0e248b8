import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a third-party backend author does: copy examples/backend-template to a folder of their
 * own, install it against the published packages (here: `pnpm pack` tarballs, so nothing of the
 * monorepo's sources or links is visible), build it, run the conformance suite and train with
 * `edora train --backend <its package name>`.
 */
const repo = resolve(import.meta.dirname, '../../..');
const template = join(repo, 'examples/backend-template');
const work = mkdtempSync(join(tmpdir(), 'edora-plugin-'));
const plugin = join(work, 'my-backend');

/** @edora/cli and everything it depends on inside the monorepo, as published. */
const PUBLISHED: Record<string, string> = {
  '@edora/errors': 'packages/errors',
  '@edora/tensor': 'packages/tensor',
  '@edora/linalg': 'packages/linalg',
  '@edora/layers': 'packages/layers',
  '@edora/models': 'packages/models',
  '@edora/glue': 'packages/glue',
  '@edora/train': 'packages/train',
  '@edora/demo': 'packages/demo',
  '@edora/cli': 'apps/cli',
};

/** Backend packages of this repository installed from their tarballs as a user would (not the template, which is copied). */
const BACKENDS: Record<string, string> = {
  '@edora/backend-gpujs': 'packages/backend-gpujs',
};

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command to completion; its stdout without colour codes. */
const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', NO_COLOR: '1' } })
    .replace(/\x1b\[[0-9;]*m/g, '');

/** The published packages, built and packed as `pnpm publish` would: name → `file:` specifier of its tarball. */
const tarballs: Record<string, string> = {};

beforeAll(() => {
  // only these (in dependency order), not the CLI's dev dependencies: the other backends, tooling
  const packages = { ...PUBLISHED, ...BACKENDS };
  run('pnpm', [...Object.keys(packages).flatMap((name) => ['--filter', name]), 'run', 'build'], repo);
  for (const [name, dir] of Object.entries(packages)) {
    const before = new Set(readdirSync(work));
    run('pnpm', ['pack', '--pack-destination', work], join(repo, dir));
    const made = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
    expect(made, `pnpm pack of ${name} produced a tarball`).toBeDefined();
    tarballs[name] = `file:${join(work, made!)}`;
  }
});

/** Trains on the embedded demo for a few steps in `cwd`, the backend chosen by its package name; the run's summary. */
function trainDemo(cwd: string, backend: string): { backend: string; steps: number; last: { trainLoss: number } } {
  const out = run('pnpm', [
    'exec', 'edora', 'train', '--backend', backend, '--method', 'edora', '--pretrain-epochs', '0', '--epochs', '1',
    '--train-size', '24', '--validation-size', '8', '--batch-size', '8', '--output-dir', join(cwd, 'run'), '--json',
  ], cwd);
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { runs: { backend: string; steps: number; last: { trainLoss: number } }[] }).runs[0]!;
}

describe('a backend plugin outside the monorepo', () => {
  it('installs against packed tarballs, passes the conformance suite and trains through edora train --backend <package name>', () => {
    // 1. the template, copied as its author would (sources, tests, configs; no build output)
    cpSync(template, plugin, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)([/\\]|$)/.test(src) });
    const pkg = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')) as {
      name: string; peerDependencies: Record<string, string>; devDependencies: Record<string, string>; pnpm?: unknown;
    };
    pkg.peerDependencies['@edora/tensor'] = '^0.1.0';
    pkg.devDependencies['@edora/tensor'] = tarballs['@edora/tensor']!;
    pkg.devDependencies['@edora/cli'] = tarballs['@edora/cli']!;
    // the tarballs depend on each other by version: point every one at its tarball, not a registry
    pkg.pnpm = { overrides: tarballs };
    writeFileSync(join(plugin, 'package.json'), JSON.stringify(pkg, null, 2));

    // 2. install (third-party packages from the local store when they are there), build, test
    run('pnpm', ['install', '--prefer-offline', '--config.confirmModulesPurge=false'], plugin);
    run('pnpm', ['run', 'build'], plugin);
    const tested = run('pnpm', ['exec', 'vitest', 'run', 'test/conformance.test.ts'], plugin);
    expect(tested).toMatch(/Tests\s+\d+ passed \| \d+ skipped \(\d+\)/); // skipped: the tier-1 checks, as the template has no fused kernels
    expect(tested).not.toMatch(/failed/);

    // 3. train on the embedded demo for a few steps, the backend chosen by its package name
    const summary = trainDemo(plugin, pkg.name);
    expect(summary.backend).toBe('template');
    expect(summary.steps).toBe(3);
    expect(Number.isFinite(summary.last.trainLoss)).toBe(true);
  });

  it('@edora/backend-gpujs, installed alone next to @edora/tensor, trains through edora train --backend @edora/backend-gpujs (Node: gpu.js\'s WebAssembly path)', () => {
    // a user's project: the backend and the CLI from their tarballs, nothing else of the monorepo
    const project = join(work, 'uses-gpujs');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({
      name: 'uses-gpujs', private: true, type: 'module',
      dependencies: { '@edora/backend-gpujs': tarballs['@edora/backend-gpujs'], '@edora/tensor': tarballs['@edora/tensor'], '@edora/cli': tarballs['@edora/cli'] },
      pnpm: { overrides: tarballs },
    }, null, 2));
    run('pnpm', ['install', '--prefer-offline', '--config.confirmModulesPurge=false'], project);
    const summary = trainDemo(project, '@edora/backend-gpujs');
    expect(summary.backend).toBe('gpujs');
    expect(summary.steps).toBe(3);
    expect(Number.isFinite(summary.last.trainLoss)).toBe(true);
  });
});
