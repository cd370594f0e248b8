import { TrainOptionError } from './errors.js';

/**
 * When a run evaluates its validation data, as HF Trainer's `eval_strategy`: after every epoch
 * (the EDoRA authors' protocol), every N optimizer steps, or not during training.
 */
export const EVAL_STRATEGIES = ['epoch', 'steps', 'no'] as const;
export type EvalStrategy = (typeof EVAL_STRATEGIES)[number];

/** A checked strategy: `steps` holds N, the optimizer steps between evaluations, for 'steps' only. */
export type EvalSchedule = { strategy: 'epoch' | 'no' } | { strategy: 'steps'; steps: number };

/**
 * Checks a strategy and its step count together: 'steps' needs an integer N ≥ 1, the others take
 * none (a count that would be ignored is more likely a mistake than a wish).
 */
export function evalScheduleOf(strategy: string = 'epoch', steps?: number): EvalSchedule {
  if (!(EVAL_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new TrainOptionError(`fit: expected evalStrategy to be one of ${EVAL_STRATEGIES.join(', ')}; found ${JSON.stringify(strategy)}`);
  }
  if (strategy !== 'steps') {
    if (steps !== undefined) throw new TrainOptionError(`fit: evalSteps is only used with evalStrategy 'steps'; found evalStrategy '${strategy}' and evalSteps ${steps}`);
    return { strategy: strategy as 'epoch' | 'no' };
  }
  if (steps === undefined || !Number.isInteger(steps) || steps < 1) {
    throw new TrainOptionError(`fit: evalStrategy 'steps' expects evalSteps to be an integer ≥ 1; found ${steps === undefined ? 'none' : steps}`);
  }
  return { strategy, steps };
}

/**
 * Whether the optimizer step just finished (`step`, counted across epochs) is followed by an
 * evaluation: at an epoch's end ('epoch'), at every multiple of N ('steps'), and, whatever the
 * strategy, after the run's last step, so a run always ends evaluated. HF Trainer itself evaluates
 * only at multiples of N; run_glue.py's `--do_eval` then evaluates the trained model once more,
 * which this final evaluation stands for (and is not repeated when the last step is a multiple).
 */
export function evaluatesAfter(schedule: EvalSchedule, step: number, epochEnded: boolean, lastStep: boolean): boolean {
  if (lastStep) return true;
  switch (schedule.strategy) {
    case 'epoch': return epochEnded;
    case 'steps': return step % schedule.steps === 0;
    case 'no': return false;
  }
}
