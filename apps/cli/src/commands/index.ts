import type { CommandSpec, Parsed } from '../args.js';
import type { Io } from '../io.js';
import { DEMO, runDemo } from './demo.js';
import { TRAIN, trainCommand } from './train.js';
import { EVAL, MERGE, PREDICT, evalCommand, mergeCommand, predictCommand } from './evaluate.js';
import { PARAMS, paramsCommand } from './params.js';
import { BACKENDS, backendsCommand } from './backends.js';
import { SVD, svdCommand } from './svd.js';
import { SWEEP, sweepCommand } from './sweep.js';
import { SWEEP_REPORT, sweepReportCommand } from './sweep-report.js';
import { SWEEP_STATUS, sweepStatusCommand } from './sweep-status.js';
import { WORKER, workerCommand } from './worker.js';

export interface Command {
  spec: CommandSpec;
  run(parsed: Parsed, io: Io): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  demo: { spec: DEMO, run: (p, io) => runDemo(p, io) },
  train: { spec: TRAIN, run: trainCommand },
  eval: { spec: EVAL, run: evalCommand },
  predict: { spec: PREDICT, run: predictCommand },
  merge: { spec: MERGE, run: mergeCommand },
  params: { spec: PARAMS, run: paramsCommand },
  backends: { spec: BACKENDS, run: backendsCommand },
  svd: { spec: SVD, run: svdCommand },
  sweep: { spec: SWEEP, run: sweepCommand },
  'sweep report': { spec: SWEEP_REPORT, run: sweepReportCommand },
  'sweep status': { spec: SWEEP_STATUS, run: sweepStatusCommand },
  worker: { spec: WORKER, run: workerCommand },
};

export function commandList(): string {
  return Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)}${c.spec.summary.split('. ')[0]}`).join('\n') + '\n';
}
