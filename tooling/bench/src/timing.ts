/**
 * Timing for the packages' `pnpm bench` scripts. CPU time is the whole process's (every thread), so on
 * a shared machine it moves less with the load than wall time and shows what a multi-threaded kernel
 * really costs.
 */

export interface WallAndCpu<T> {
  /** wall milliseconds */
  wall: T;
  /** CPU milliseconds of the whole process */
  cpu: T;
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall and CPU milliseconds of each of `reps` runs of `fn`; no warm-up (callers that need one run it first). */
export function sampleWallAndCpu(fn: () => void, reps: number): WallAndCpu<number[]> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/** Median wall and CPU milliseconds of `reps` runs of `fn` after one warm-up run. */
export function medianWallAndCpu(fn: () => void, reps: number): WallAndCpu<number> {
  fn();
  const { wall, cpu } = sampleWallAndCpu(fn, reps);
  return { wall: median(wall), cpu: median(cpu) };
}

/**
 * Seconds per run of an asynchronous device's work: after one warm-up run (it compiles), enqueue
 * `reps` runs back to back and wait once, as a training step does, doubling `reps` (up to `maxReps`)
 * until one batch takes at least `minSeconds`.
 */
export async function secondsPerEnqueuedRun(
  enqueue: () => void, wait: () => Promise<void>, minSeconds: number, maxReps = 256,
): Promise<number> {
  enqueue();
  await wait();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) enqueue();
    await wait();
    const s = (performance.now() - t0) / 1000;
    if (s >= minSeconds || reps >= maxReps) return s / reps;
    reps = Math.min(maxReps, Math.max(reps * 2, Math.ceil((reps * minSeconds) / Math.max(s, 1e-4))));
  }
}
