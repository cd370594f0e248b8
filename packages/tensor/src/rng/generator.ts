/**
 * The default random stream: a seed plus a counter offset that advances by the number of samples
 * each random op draws (as PyTorch does for its Philox generator). Saving and restoring this state
 * makes resumed training draw the same dropout masks as an uninterrupted run.
 */
export interface RngState {
  seed: number;
  offset: number;
}

let state: RngState = { seed: 0, offset: 0 };

export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`manualSeed: expected a non-negative safe integer, got ${seed}`);
  state = { seed, offset: 0 };
}

export function getRngState(): RngState {
  return { ...state };
}

export function setRngState(s: RngState): void {
  state = { seed: s.seed, offset: s.offset };
}

/** Reserves `count` counters of the default stream and returns (seed, first offset). */
export function nextRandom(count: number): RngState {
  const s = { ...state };
  // round up to keep offsets aligned across ops; any value works as long as every backend agrees
  state.offset += count;
  return s;
}
