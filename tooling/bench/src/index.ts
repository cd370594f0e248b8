export { median, medianWallAndCpu, sampleWallAndCpu, secondsPerEnqueuedRun, type WallAndCpu } from './timing.js';
export { table } from './table.js';
