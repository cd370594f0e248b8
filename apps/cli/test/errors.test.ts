import { describe, expect, it } from 'vitest';
import { EdoraError } from '@edora/errors';
import * as glue from '@edora/glue';
import * as tensor from '@edora/tensor';
import * as linalg from '@edora/linalg';
import * as layers from '@edora/layers';
import * as models from '@edora/models';
import * as train from '@edora/train';
import { animalPairOf } from '@edora/demo';
import { WasmBackendError } from '@edora/backend-wasm';
import { parseArgs, UsageError } from '../src/args.js';

// Every package's typed errors extend the one EdoraError of @edora/errors, so a caller's single
// `instanceof EdoraError` check catches them all — @edora/glue's too, although glue has no
// tensor dependency.

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

async function rejected(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

describe('one EdoraError across packages', () => {
  it('tensor and glue re-export the same class as @edora/errors', () => {
    expect(tensor.EdoraError).toBe(EdoraError);
    expect(glue.EdoraError).toBe(EdoraError);
  });

  it('errors thrown by glue, tensor, demo and the CLI are EdoraErrors, with their own class and code', async () => {
    const g = await rejected(() => glue.collect(glue.parseGlueTsv('index\tsentence1\tsentence2\tlabel\n0\tonly two\n', 'rte', 'train')));
    expect(g).toBeInstanceOf(EdoraError);
    expect(g).toBeInstanceOf(glue.GlueFormatError);
    expect(g).toMatchObject({ code: 'E_GLUE_FORMAT' });

    const t = thrown(() => tensor.reshape(tensor.zeros([2, 3]), [4]));
    expect(t).toBeInstanceOf(EdoraError);
    expect(t).toBeInstanceOf(tensor.ShapeError);

    const d = thrown(() => animalPairOf('no animals here'));
    expect(d).toBeInstanceOf(EdoraError);
    expect(d).toMatchObject({ code: 'E_DEMO_SENTENCE' });

    const u = thrown(() => parseArgs(['--nope'], { name: 'x', summary: '', options: {} }));
    expect(u).toBeInstanceOf(EdoraError);
    expect(u).toBeInstanceOf(UsageError);
  });

  it('every exported error class of every package extends EdoraError', () => {
    const classes = [
      glue.GlueFormatError, glue.GlueFileError, glue.UnknownTaskError, glue.GlueArgumentError,
      tensor.ShapeError, tensor.DTypeError, tensor.ArgumentError, tensor.BackendError, tensor.DisposedError,
      tensor.AutogradError, tensor.FormatError,
      linalg.NonFiniteError, linalg.NotPositiveDefiniteError, linalg.SingularMatrixError, linalg.ConvergenceError,
      layers.StateDictError, layers.ModulePathError, layers.AdapterConfigError, layers.AdapterFileError,
      models.ConfigError, models.TokenizerFileError, models.SpecialTokenError, models.CheckpointError,
      models.MissingWeightsError, models.WeightShapeError, models.ModelNotFoundError,
      train.TrainOptionError, train.CheckpointError, train.NonFiniteLossError,
      WasmBackendError, UsageError,
    ];
    for (const c of classes) expect(c.prototype, c.name).toBeInstanceOf(EdoraError);
    expect(new Error('plain')).not.toBeInstanceOf(EdoraError);
  });
});
