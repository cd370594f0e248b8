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
