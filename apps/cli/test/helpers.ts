import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../src/io.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedData = resolve(repoRoot, '../shared/data');
export const sst2Dir = resolve(sharedData, 'glue/SST-2');
export const hasSst2 = existsSync(resolve(sst2Dir, 'train.tsv')) && existsSync(resolve(sst2Dir, 'dev.tsv'));
export const tinyRoberta = resolve(sharedData, 'models/tiny-roberta-mlm');
export const hasTinyRoberta = existsSync(resolve(tinyRoberta, 'model.safetensors'));

const MAIN = resolve(repoRoot, 'apps/cli/src/main.ts');

/** Starts the CLI as a child process, as a user would run it in the repo (`pnpm edora`). */
export function spawnCli(args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--conditions=@edora/source', '--import', 'tsx', MAIN, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** Runs the CLI to completion; resolves with its exit code (or signal) and output. */
export function runCli(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawnCli(args);
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, output: child.output() }));
  });
}

/** Captured command output: `out()` is stdout and stderr together as written, `stdoutText()` and `stderrText()` each alone. */
export interface Captured extends Io {
  out(): string;
  stdoutText(): string;
  stderrText(): string;
}

/** Streams for `main(argv, io)` that keep what is written to them. */
export function capture(): Captured {
  let all = '';
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void): NodeJS.WriteStream =>
    ({ write: (s: string) => (append(s), (all += s), true), isTTY: false, columns: 80 }) as unknown as NodeJS.WriteStream;
  return { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), out: () => all, stdoutText: () => out, stderrText: () => err };
}
