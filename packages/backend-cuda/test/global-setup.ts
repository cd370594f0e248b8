import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds the stand-in driver (idempotent: a no-op when its sources are unchanged). */
export default function setup(): void {
  if (spawnSync('g++', ['--version'], { stdio: 'ignore' }).status !== 0) return; // tests skip, naming the reason
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('sh', ['scripts/build-standin.sh'], { cwd: pkg, stdio: 'inherit' });
}
