import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, FileWriteError, RunFolderError, type CheckpointMeta, type StepRecord } from '../src/index.js';
import { LOCK_FILE, RUN_FILES, lockRunFolder, makeWritableFolder, removeStaleTempFiles, runDirectorySink, writeFileAtomic } from '../src/node.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'edora-folder-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped), so it is certainly not alive. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const step = (n: number): StepRecord => ({ type: 'step', epoch: 1, batch: n, batches: 9, step: n, totalSteps: 9, loss: 1 / n, gradNorm: 1, lr: { g: 0.1 }, tokens: 10, tokensPerSecond: 10, elapsedSeconds: n });
const hasDevFull = existsSync('/dev/full');

describe('lockRunFolder', () => {
  it('lets one process hold a folder; a second taker is told who holds it; release frees it', async () => {
    const dir = join(await tempDir(), 'run');
    const lock = await lockRunFolder(dir, 'edora train --task rte');
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number; hostname: string; command: string };
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'edora train --task rte' });
    const err = await lockRunFolder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFolderError);
    expect((err as Error).message).toContain(`in use by another edora run (pid ${process.pid} on ${hostname()}`);
    expect((err as Error).message).toContain('edora train --task rte');
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await lockRunFolder(dir);
    expect(again.takenOverFrom).toBeUndefined();
    await again.release();
  });

  it('takes over the lock of a process that is gone, and says whose it was', async () => {
    const dir = await tempDir();
    const pid = deadPid();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, hostname: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const lock = await lockRunFolder(dir);
    expect(lock.takenOverFrom).toMatchObject({ pid });
    expect((JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    await lock.release();
  });

  it('does not take over a lock from another host (its pid cannot be checked) and says how to clear it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), hostname: 'elsewhere', since: '2026-01-01T00:00:00.000Z' }));
    await expect(lockRunFolder(dir)).rejects.toThrow(`if that run is gone, delete ${join(dir, LOCK_FILE)}`);
    // a caller that owns the run by other means (a queue's job lock) takes it over
    const forced = await lockRunFolder(dir, undefined, { force: true });
    expect(forced.takenOverFrom).toMatchObject({ hostname: 'elsewhere' });
    await forced.release();
  });

  it('removes the temporary files of dead writers, keeps live ones and ordinary files', async () => {
    const dir = await tempDir();
    const dead = deadPid();
    await mkdir(join(dir, 'adapter'));
    const files = [
      `checkpoint.safetensors.tmp-${dead}`, `adapter/adapter_model.safetensors.tmp-${dead}-k3j2`, '.trained.safetensors.0a1b2c.tmp',
      `results.json.tmp-${process.pid}`, 'notes.txt', 'steps.jsonl',
    ];
    for (const f of files) await writeFile(join(dir, f), 'x');
    const lock = await lockRunFolder(dir);
    expect(lock.removedTempFiles.sort()).toEqual([`checkpoint.safetensors.tmp-${dead}`, join('adapter', `adapter_model.safetensors.tmp-${dead}-k3j2`), '.trained.safetensors.0a1b2c.tmp'].sort());
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE, 'adapter', `results.json.tmp-${process.pid}`, 'notes.txt', 'steps.jsonl'].sort());
    expect(await removeStaleTempFiles(dir)).toEqual([]);
    await lock.release();
  });
});

describe('run folder writes', () => {
  it('a torn last line of steps.jsonl is dropped on resume; the lines the checkpoint covers stay', async () => {
    const dir = await tempDir();
    const sink = await runDirectorySink(dir);
    for (let n = 1; n <= 5; n++) await sink.log!(step(n));
    await appendFile(join(dir, RUN_FILES.steps), '{"type":"step","epoch":1,"bat');
    await runDirectorySink(dir, { step: 4 } as CheckpointMeta);
    const steps = (await readFile(join(dir, RUN_FILES.steps), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3, 4]);
  });

  it('an unreadable line before the last is an error naming file and line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, RUN_FILES.steps), `${JSON.stringify(step(1))}\n{oops\n${JSON.stringify(step(2))}\n`);
    const err = await runDirectorySink(dir, { step: 2 } as CheckpointMeta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(`${join(dir, RUN_FILES.steps)}:2: expected one JSON record per line`);
  });

  it.skipIf(!hasDevFull)('a full disk (ENOSPC) names the file being written: a log append and an atomic write (needs /dev/full)', async () => {
    const dir = await tempDir();
    const sink = await runDirectorySink(dir);
    await symlink('/dev/full', join(dir, RUN_FILES.steps));
    const err = await Promise.resolve(sink.log!(step(1))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileWriteError);
    expect((err as FileWriteError).errno).toBe('ENOSPC');
    expect((err as Error).message).toBe(`could not append to ${join(dir, RUN_FILES.steps)}: no space left on the device (ENOSPC)`);
    // the checkpoint's temp file is where the bytes go first
    const target = join(dir, RUN_FILES.checkpoint);
    await symlink('/dev/full', `${target}.tmp-${process.pid}`);
    await expect(writeFileAtomic(target, new Uint8Array(10))).rejects.toThrow(`could not write ${target}: no space left on the device (ENOSPC)`);
    expect(existsSync(target)).toBe(false);
  });

  it('a run folder under a file, or under a folder this user cannot write, says which path is in the way', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'plain'), 'x');
    await expect(makeWritableFolder(join(dir, 'plain', 'run'))).rejects.toThrow(`${join(dir, 'plain')} is a file, not a folder`);
    await expect(lockRunFolder(join(dir, 'plain', 'run'))).rejects.toBeInstanceOf(RunFolderError);
    // root may write anywhere, so the read-only case runs as `nobody` in a child process when this is root
    const ro = join(dir, 'ro');
    await mkdir(ro);
    await chmod(ro, 0o555);
    await chmod(dir, 0o755);
    const script = `import('${new URL('../src/run-folder.ts', import.meta.url).href}').then((m) => m.makeWritableFolder(${JSON.stringify(join(ro, 'a', 'run'))})).then(() => console.log('created'), (e) => console.log(e.name + ': ' + e.message))`;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ['--conditions=@edora/source', '--import', 'tsx', '-e', script], { encoding: 'utf8', ...asNobody, env: { ...process.env, HOME: tmpdir() } });
    expect(r.stdout.trim(), r.stderr).toBe(`RunFolderError: cannot write the run folder ${join(ro, 'a', 'run')}: ${ro} is not writable by this user (permission denied); choose another --output-dir or change the folder's permissions`);
  }, 60_000);
});
