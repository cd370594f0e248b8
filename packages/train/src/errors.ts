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

/** A run folder that cannot be used: another run holds it, or it cannot be created or written. */
export class RunFolderError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_RUN_FOLDER', message, options);
  }
}

/** Writing a file failed (disk full, read-only, ...); the message names the file and the reason. */
export class FileWriteError extends EdoraError {
  readonly path: string;
  /** The file system's code (ENOSPC, EACCES, ...). */
  readonly errno: string;
  constructor(path: string, errno: string, message: string, options?: { cause?: unknown }) {
    super('E_FILE_WRITE', message, options);
    this.path = path;
    this.errno = errno;
  }
}

/** Training stopped on request (its abort signal, e.g. Ctrl-C) after a finished step; a checkpoint of that step was saved when the run has a sink for one. */
export class TrainingInterruptedError extends EdoraError {
  /** The last finished optimizer step, the one the checkpoint holds. */
  readonly step: number;
  readonly checkpointed: boolean;
  constructor(step: number, checkpointed: boolean) {
    super('E_INTERRUPTED', `training interrupted after optimizer step ${step}${checkpointed ? '; a checkpoint of that step was saved' : ''}`);
    this.step = step;
    this.checkpointed = checkpointed;
  }
}
