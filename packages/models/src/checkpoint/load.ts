import { decodeTensorData, shapeStr, type AnyTypedArray, type SafetensorsDType, type Tensor } from '@edora/tensor';
import { CheckpointError, MissingWeightsError, WeightShapeError } from './errors.js';
import { matchCheckpointKeys, shapeFieldsOf, unexpectedHint, type KeyMatch } from './keys.js';
import type { StoredTensor, TensorSource } from './source.js';

/** What a load did, by name, as HF's loading warnings report it. */
export interface LoadReport {
  /** Model parameters set from the checkpoint. */
  loaded: string[];
  /** Model parameters the checkpoint lacks (only non-empty with `allowMissing`). */
  missing: string[];
  /** Head parameters the checkpoint lacks; they are freshly initialized (by `loadPretrainedRoberta`) and need training. */
  newlyInitialized: string[];
  /** Checkpoint tensors skipped: other heads, the pooler, `position_ids`, and with `strict: false` anything else. */
  ignored: string[];
}

export interface LoadWeightsOptions {
  /** Load anyway when encoder weights are missing (they keep their values; `loadPretrainedRoberta` gives them HF's init). Default false. */
  allowMissing?: boolean;
  /** When true (default), checkpoint tensors a RoBERTa of this config cannot place are an error. */
  strict?: boolean;
  /** The config's layer count, for the hint when a checkpoint has more layers. */
  numHiddenLayers?: number;
  /**
   * Bytes read per step while streaming a tensor into its parameter (default 1 MiB: each step
   * leaves its read and decoded chunk as garbage until the next GC, so larger chunks raise the
   * peak; 8 MiB added ~45 MB of RSS on roberta-base for no measurable speed).
   */
  chunkBytes?: number;
}

const FLOAT_BYTES: Partial<Record<SafetensorsDType, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

function listed(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, ... (${names.length} in all)` : shown;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkStored(model: string, shape: readonly number[], stored: StoredTensor, ckptName: string): void {
  if (!sameShape(shape, stored.shape)) {
    throw new WeightShapeError(
      model,
      shape,
      stored.shape,
      `${stored.file}: tensor ${ckptName} has shape ${shapeStr(stored.shape)}, but the model's ${model} is ${shapeStr(shape)} ` +
        `(${shapeFieldsOf(model)} from the config): config and weights disagree`,
    );
  }
  if (FLOAT_BYTES[stored.dtype] === undefined) {
    throw new CheckpointError(`${stored.file}: tensor ${ckptName} has dtype ${stored.dtype}; a float weight loads from F32, F16, BF16 or F64`);
  }
}

function checkFits(model: string, param: Tensor, stored: StoredTensor, ckptName: string): void {
  checkStored(model, param.shape, stored, ckptName);
  if (!param.isContiguous) {
    throw new CheckpointError(`cannot load ${model}: the parameter is a non-contiguous view (shape ${shapeStr(param.shape)})`);
  }
}

/** Host values in the parameter's own element type (the backend writes raw bytes). */
function asParamArray(values: AnyTypedArray, dtype: Tensor['dtype']): AnyTypedArray {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === 'float64') return values instanceof Float64Array ? values : Float64Array.from(values);
  throw new CheckpointError(`cannot load float weights into a ${dtype} parameter`);
}

/**
 * Streams one stored tensor into a parameter's storage, chunk by chunk, so the extra memory is one
 * chunk rather than a second copy of the tensor.
 */
async function stream(source: TensorSource, ckptName: string, stored: StoredTensor, param: Tensor, chunkBytes: number): Promise<void> {
  const elemBytes = FLOAT_BYTES[stored.dtype]!;
  const count = param.size;
  const perChunk = Math.max(1, Math.floor(chunkBytes / elemBytes));
  const paramBytes = param.dtype === 'float64' ? 8 : 4;
  for (let start = 0; start < count; start += perChunk) {
    const n = Math.min(perChunk, count - start);
    const raw = await source.readRange(ckptName, start * elemBytes, (start + n) * elemBytes);
    const values = decodeTensorData(stored.dtype, [n], raw, { name: ckptName, source: stored.file });
    param.backend.write(param.buffer, asParamArray(values, param.dtype), (param.offset + start) * paramBytes);
  }
}

/**
 * Loads RoBERTa weights from a checkpoint into named parameters, in place. Names follow HF
 * (`roberta.` prefix optional, see keys.ts). Every shape and dtype is checked before anything is
 * written, so a bad checkpoint leaves the model untouched.
 */
export async function loadWeights(
  params: Iterable<[string, Tensor]>,
  source: TensorSource,
  options: LoadWeightsOptions = {},
): Promise<LoadReport> {
  const byName = new Map(params);
  const match = checkCheckpointFits(new Map([...byName].map(([name, p]) => [name, p.shape])), source, options);
  for (const [model, ckpt] of match.pairs) checkFits(model, byName.get(model)!, source.tensors.get(ckpt)!, ckpt);

  const chunkBytes = options.chunkBytes ?? 2 ** 20;
  for (const [model, ckpt] of match.pairs) {
    await stream(source, ckpt, source.tensors.get(ckpt)!, byName.get(model)!, chunkBytes);
  }
  return {
    loaded: match.pairs.map(([m]) => m),
    missing: match.missing,
    newlyInitialized: match.newlyInitialized,
    ignored: [...match.ignored, ...match.unexpected],
  };
}

/**
 * The checks of a load that need only shapes: missing tensors (unless allowMissing), unexpected
 * ones (when strict), and each stored tensor's shape and dtype against the model's. Used on a
 * built model's parameters and, before building, on `robertaParameterShapes` of a config.
 */
export function checkCheckpointFits(
  shapes: ReadonlyMap<string, readonly number[]>,
  source: TensorSource,
  options: Pick<LoadWeightsOptions, 'allowMissing' | 'strict' | 'numHiddenLayers'> = {},
): KeyMatch {
  const match = matchCheckpointKeys(shapes.keys(), source.tensors.keys());
  if (match.missing.length > 0 && !options.allowMissing) {
    throw new MissingWeightsError(
      match.missing,
      `${source.description}: missing ${match.missing.length} tensor(s) the model needs: ${listed(match.missing)}. ` +
        `The checkpoint holds: ${listed([...source.tensors.keys()], 6)}`,
    );
  }
  if (match.unexpected.length > 0 && (options.strict ?? true)) {
    throw new CheckpointError(
      `${source.description}: ${match.unexpected.length} tensor(s) fit no parameter of this model: ${listed(match.unexpected)}.` +
        unexpectedHint(match.unexpected, options.numHiddenLayers ?? 0) +
        ' Pass strict: false to skip them.',
    );
  }
  for (const [model, ckpt] of match.pairs) checkStored(model, shapes.get(model)!, source.tensors.get(ckpt)!, ckpt);
  return match;
}
