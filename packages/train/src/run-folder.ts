/**
 * A run folder's safety (Node only): one writer at a time (a lock file naming its owner, stale locks
 * of dead owners taken over), temporary files of dead writers removed, and file-system failures
 * reported with the path and what is wrong instead of a bare errno.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdir, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FileWriteError, RunFolderError } from './errors.js';

/** The lock file inside a run folder; it holds the owner as JSON (`LockOwner`). */
export const LOCK_FILE = 'run.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What holds it, for the message another run prints (e.g. the command line). */
  command?: string;
}

export interface RunFolderLock {
  dir: string;
  /** The owner of a stale lock this one replaced (a writer that died without releasing it). */
  takenOverFrom?: LockOwner;
  /** Temporary files of dead writers that were removed, relative to the folder. */
  removedTempFiles: string[];
  release(): Promise<void>;
}

/** Whether process `pid` of this host is alive (EPERM: it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EMFILE: 'too many open files',
};

/**
 * The error to throw when writing `path` failed with `cause`: a `FileWriteError` naming the file,
 * what is wrong in words and the code (ENOSPC: "no space left on the device"). Anything that is
 * not a file-system error (no string `code`) is returned unchanged.
 */
export function fileWriteErrorOf(cause: unknown, path: string, what = 'write'): unknown {
  if (cause instanceof FileWriteError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(cause instanceof Error)) return cause;
  const reason = REASONS[code] ?? cause.message;
  return new FileWriteError(path, code, `could not ${what} ${path}: ${reason} (${code})`, { cause });
}

/** Runs `write` and rethrows a file-system failure as `fileWriteErrorOf(e, path)`. */
export async function writingFile<T>(path: string, write: () => Promise<T>, what = 'write'): Promise<T> {
  try {
    return await write();
  } catch (e) {
    throw fileWriteErrorOf(e, path, what);
  }
}

/** The nearest ancestor of `dir` (itself included) that exists, with whether it is a folder. */
async function nearestExisting(dir: string): Promise<{ path: string; isDir: boolean }> {
  let p = resolve(dir);
  for (;;) {
    try {
      return { path: p, isDir: (await stat(p)).isDirectory() };
    } catch {
      const up = dirname(p);
      if (up === p) return { path: p, isDir: true };
      p = up;
    }
  }
}

/**
 * Creates `dir` (and its parents) for writing. A failure says which existing path is in the way and
 * why: a file where a folder should be, or a folder this process may not write to (read-only, or
 * another owner), instead of Node's bare `ENOENT`/`EACCES … mkdir`.
 */
export async function makeWritableFolder(dir: string): Promise<void> {
  let failure: unknown = null;
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return;
  } catch (e) {
    failure = e;
  }
  const code = (failure as NodeJS.ErrnoException).code ?? 'E?';
  const near = await nearestExisting(dir);
  if (!near.isDir) throw new RunFolderError(`cannot create the run folder ${dir}: ${near.path} is a file, not a folder`, { cause: failure });
  const writable = await access(near.path, constants.W_OK).then(() => true, () => false);
  if (!writable || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    throw new RunFolderError(`cannot write the run folder ${dir}: ${near.path} is not writable by this user (${REASONS[code] ?? code}); choose another --output-dir or change the folder's permissions`, { cause: failure });
  }
  throw fileWriteErrorOf(failure, dir, 'create the folder');
}

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

function ownerText(o: LockOwner): string {
  return `pid ${o.pid} on ${o.hostname}, since ${o.since}${o.command ? `: ${o.command}` : ''}`;
}

/** `name.tmp-<pid>` (this package) and `name.tmp-<pid>-<random>` (@edora/layers): the pid is the writer. */
const PID_TEMP = /\.tmp-(\d+)(-[0-9a-z]+)?$/;
/** `.name.<hex>.tmp` (@edora/tensor's safetensors writer): no pid, only a writer holding the lock makes them. */
const ANON_TEMP = /^\..+\.[0-9a-f]+\.tmp$/;

/**
 * Removes the temporary files of writers that are gone, in `dir` and its direct sub-folders: those
 * naming a pid that is not alive, and the unnamed ones (call this holding the folder's lock, when
 * no other writer can be making them). Returns the removed paths relative to `dir`.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const sweep = async (sub: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, sub), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const rel = sub ? join(sub, e.name) : e.name;
      if (e.isDirectory()) {
        if (depth === 0) await sweep(rel, 1);
        continue;
      }
      const m = PID_TEMP.exec(e.name);
      const stale = m ? Number(m[1]) !== process.pid && !isProcessAlive(Number(m[1])) : ANON_TEMP.test(e.name);
      if (stale) {
        await rm(join(dir, rel), { force: true });
        removed.push(rel);
      }
    }
  };
  await sweep('', 0);
  return removed;
}

/**
 * Takes the run folder `dir` for this process (creating it): `run.lock` is made atomically (written
 * aside, then hard-linked into place, so it is never seen half-written) and names this process. A
 * lock of a live process is a `RunFolderError` naming it; a lock of a process that is gone (this
 * host only: a pid elsewhere cannot be checked) is taken over and reported in `takenOverFrom`.
 * Temporary files of dead writers are removed once the lock is held. `force` takes over any lock
 * (for a caller that owns the run by other means, e.g. a queue's job lock, when the previous owner
 * may have died on another host).
 */
export async function lockRunFolder(dir: string, command?: string, o: { force?: boolean } = {}): Promise<RunFolderLock> {
  await makeWritableFolder(dir);
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), ...(command ? { command } : {}) };
  const aside = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writingFile(aside, () => writeFile(aside, JSON.stringify(me) + '\n'));
  let takenOverFrom: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fileWriteErrorOf(e, path, 'create the lock');
      }
      const owner = await readOwner(path);
      const stale = o.force === true || (owner !== null && owner.hostname === me.hostname && owner.pid !== process.pid && !isProcessAlive(owner.pid));
      if (!stale || attempt > 2) {
        const who = owner ? ownerText(owner) : 'an unreadable lock';
        const hint = !owner || owner.hostname !== me.hostname ? `; if that run is gone, delete ${path}` : '';
        throw new RunFolderError(`the run folder ${dir} is in use by another edora run (${who}); wait for it to finish or choose another --output-dir${hint}`);
      }
      // the owner died without releasing; a racing taker that also saw it stale may remove ours, which the check below catches
      if (owner) takenOverFrom = owner;
      await unlink(path).catch(() => undefined);
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
  const holder = await readOwner(path);
  if (holder?.pid !== me.pid || holder.since !== me.since) throw new RunFolderError(`the run folder ${dir} was taken by another edora run (${holder ? ownerText(holder) : 'unknown'}) while this one was starting`);
  const removedTempFiles = await removeStaleTempFiles(dir);
  let released = false;
  return {
    dir,
    ...(takenOverFrom ? { takenOverFrom } : {}),
    removedTempFiles,
    async release() {
      if (released) return;
      released = true;
      const owner = await readOwner(path);
      if (owner?.pid === me.pid && owner.since === me.since) await unlink(path).catch(() => undefined);
    },
  };
}
