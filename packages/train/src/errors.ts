import { EdoraError } from '@edora/tensor';

/** An option outside its valid range or choices; the message names the option, the valid values and what was given. */
export class TrainOptionError extends EdoraError {
  constructor(message: string) {
    super('E_TRAIN_OPTION', message);
  }
}

/** A checkpoint that cannot be read back or does not fit the run resuming from it. */
export class CheckpointError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CHECKPOINT', message, options);
  }
}

/** Training stopped because the loss stopped being finite; the last good checkpoint is kept. */
export class NonFiniteLossError extends EdoraError {
  readonly step: number;
  readonly loss: number;
  constructor(step: number, loss: number) {
    super('E_NONFINITE_LOSS', `training loss became ${loss} at optimizer step ${step}; expected a finite number (lower the learning rate, or check the data)`);
    this.step = step;
    this.loss = loss;
  }
}
