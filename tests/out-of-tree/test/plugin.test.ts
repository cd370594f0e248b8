import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command to completion; its stdout without colour codes. */
const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', NO_COLOR: '1' } })
    .replace(/\x1b\[[0-9;]*m/g, '');

describe('a backend plugin outside the monorepo', () => {
  it('installs against packed tarballs, passes the conformance suite and trains through edora train --backend <package name>', () => {
    // 1. the published packages, built and packed as `pnpm publish` would
    // only these (in dependency order), not the CLI's dev dependencies: the other backends, tooling
    run('pnpm', [...Object.keys(PUBLISHED).flatMap((name) => ['--filter', name]), 'run', 'build'], repo);
    const tarballs: Record<string, string> = {};
    for (const [name, dir] of Object.entries(PUBLISHED)) {
      const before = new Set(readdirSync(work));
      run('pnpm', ['pack', '--pack-destination', work], join(repo, dir));
      const made = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
      expect(made, `pnpm pack of ${name} produced a tarball`).toBeDefined();
      tarballs[name] = `file:${join(work, made!)}`;
    }

    // 2. the template, copied as its author would (sources, tests, configs; no build output)
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

    // 3. install (third-party packages from the local store when they are there), build, test
    run('pnpm', ['install', '--prefer-offline', '--config.confirmModulesPurge=false'], plugin);
    run('pnpm', ['run', 'build'], plugin);
    const tested = run('pnpm', ['exec', 'vitest', 'run', 'test/conformance.test.ts'], plugin);
    expect(tested).toMatch(/Tests\s+\d+ passed \| \d+ skipped \(\d+\)/); // skipped: the tier-1 checks, as the template has no fused kernels
    expect(tested).not.toMatch(/failed/);

    // 4. train on the embedded demo for a few steps, the backend chosen by its package name
    const out = run('pnpm', [
      'exec', 'edora', 'train', '--backend', pkg.name, '--method', 'edora', '--pretrain-epochs', '0', '--epochs', '1',
      '--train-size', '24', '--validation-size', '8', '--batch-size', '8', '--output-dir', join(work, 'run'), '--json',
    ], plugin);
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { runs: { backend: string; steps: number; last: { trainLoss: number } }[] };
    expect(summary.runs[0]!.backend).toBe('template');
    expect(summary.runs[0]!.steps).toBe(3);
    expect(Number.isFinite(summary.runs[0]!.last.trainLoss)).toBe(true);
  });
});
