import { GlueArgumentError } from './errors.js';
import { permutation, mixSeed } from './rng.js';
import type { GlueExample } from './tasks.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * A split tokenized once: every example's ids back to back in one Int32Array, so an epoch only
 * shuffles indices and copies ids into padded batches (no strings, no per-example arrays).
 */
export interface TokenizedDataset {
  readonly size: number;
  /** All examples' token ids, concatenated. */
  readonly ids: Int32Array;
  /** Example i's ids are ids[offsets[i] .. offsets[i+1]); length size + 1. */
  readonly offsets: Int32Array;
  /** Class ids (Int32Array), scores (Float32Array), or null when the split is unlabelled. */
  readonly labels: Int32Array | Float32Array | null;
  /** Each example's `idx` (its position in the split), for predictions and submissions. */
  readonly idx: Int32Array;
  readonly padTokenId: number;
  /** The maxLength it was tokenized with: the width of `padding: 'max_length'` batches. */
  readonly maxLength: number;
}

export interface TokenizeOptions {
  maxLength: number;
  /** Classification labels are stored as Int32 class ids, regression labels as Float32. Default classification. */
  kind?: 'classification' | 'regression';
}

/** Tokenizes examples (an array, or any iterable) into a `TokenizedDataset`. */
export function tokenizeExamples(examples: Iterable<GlueExample>, tokenizer: Tokenizer, options: TokenizeOptions): TokenizedDataset {
  const builder = new DatasetBuilder(tokenizer, options);
  for (const example of examples) builder.add(example);
  return builder.finish();
}

/** Same as `tokenizeExamples` for a stream of examples (e.g. a loader reading a large file). */
export async function tokenizeStream(
  examples: AsyncIterable<GlueExample>,
  tokenizer: Tokenizer,
  options: TokenizeOptions,
): Promise<TokenizedDataset> {
  const builder = new DatasetBuilder(tokenizer, options);
  for await (const example of examples) builder.add(example);
  return builder.finish();
}

class DatasetBuilder {
  private ids = new Int32Array(1 << 16);
  private used = 0;
  private offsets: number[] = [0];
  private labels: number[] = [];
  private idx: number[] = [];
  private labelled: boolean | null = null;
  private readonly maxLength: number;
  private readonly regression: boolean;

  constructor(private readonly tokenizer: Tokenizer, options: TokenizeOptions) {
    if (!Number.isInteger(options.maxLength) || options.maxLength < 1) {
      throw new GlueArgumentError(`tokenize: expected maxLength to be a positive integer; found ${options.maxLength}`);
    }
    const kind = options.kind ?? 'classification';
    if (kind !== 'classification' && kind !== 'regression') {
      throw new GlueArgumentError(`tokenize: expected kind 'classification' or 'regression'; found ${JSON.stringify(kind)}`);
    }
    this.maxLength = options.maxLength;
    this.regression = kind === 'regression';
  }

  add(example: GlueExample): void {
    const { inputIds, attentionMask } = this.tokenizer.encode(example.textA, example.textB, this.maxLength);
    const length = realLength(inputIds, attentionMask, example.idx);
    if (length > this.maxLength) {
      throw new GlueArgumentError(
        `tokenize: the tokenizer returned ${length} tokens for example ${example.idx}; expected at most maxLength ${this.maxLength} (it must truncate)`,
      );
    }
    if (this.used + length > this.ids.length) {
      const grown = new Int32Array(Math.max(this.ids.length * 2, this.used + length));
      grown.set(this.ids.subarray(0, this.used));
      this.ids = grown;
    }
    for (let i = 0; i < length; i++) this.ids[this.used++] = inputIds[i]!;
    this.offsets.push(this.used);
    this.idx.push(example.idx);
    const labelled = example.label !== null;
    if (this.labelled === null) this.labelled = labelled;
    else if (this.labelled !== labelled) {
      throw new GlueArgumentError(`tokenize: example ${example.idx} is ${labelled ? '' : 'un'}labelled but the ones before it are not; expected all or none to have labels`);
    }
    if (labelled) {
      const label = example.label!;
      if (!this.regression && !Number.isInteger(label)) {
        throw new GlueArgumentError(`tokenize: expected an integer class id for example ${example.idx}; found ${label} (pass kind: 'regression' for scores)`);
      }
      this.labels.push(label);
    }
  }

  finish(): TokenizedDataset {
    const size = this.idx.length;
    let labels: Int32Array | Float32Array | null = null;
    if (this.labelled) labels = this.regression ? Float32Array.from(this.labels) : Int32Array.from(this.labels);
    return {
      size,
      ids: this.ids.slice(0, this.used),
      offsets: Int32Array.from(this.offsets),
      labels,
      idx: Int32Array.from(this.idx),
      padTokenId: this.tokenizer.padTokenId,
      maxLength: this.maxLength,
    };
  }
}

/** Token count before any padding the tokenizer added (mask must be 1s then 0s). */
function realLength(ids: ArrayLike<number>, mask: ArrayLike<number> | undefined, idx: number): number {
  if (!mask) return ids.length;
  if (mask.length !== ids.length) {
    throw new GlueArgumentError(`tokenize: example ${idx}: attentionMask has length ${mask.length}; expected ${ids.length} like inputIds`);
  }
  let n = 0;
  while (n < mask.length && mask[n] === 1) n++;
  for (let i = n; i < mask.length; i++) {
    if (mask[i] !== 0) throw new GlueArgumentError(`tokenize: example ${idx}: expected attentionMask to be 1s then 0s; found ${mask[i]} at ${i} after a 0`);
  }
  return n;
}

/** One batch, row-major [batchSize, seqLength]. */
export interface Batch {
  readonly batchSize: number;
  readonly seqLength: number;
  readonly inputIds: Int32Array;
  /** 1 on real tokens, 0 on padding. */
  readonly attentionMask: Int32Array;
  readonly labels: Int32Array | Float32Array | null;
  /** The examples' `idx`. */
  readonly idx: Int32Array;
}

export type Padding = 'max_length' | 'longest';

/** Pads the chosen examples to one batch: to the dataset's maxLength, or to the longest among them. */
export function collate(ds: TokenizedDataset, indices: ArrayLike<number>, padding: Padding = 'longest'): Batch {
  if (padding !== 'max_length' && padding !== 'longest') {
    throw new GlueArgumentError(`collate: expected padding 'max_length' or 'longest'; found ${JSON.stringify(padding)}`);
  }
  const b = indices.length;
  let seqLength = padding === 'max_length' ? ds.maxLength : 0;
  for (let r = 0; r < b; r++) {
    const i = indices[r]!;
    if (!(Number.isInteger(i) && i >= 0 && i < ds.size)) {
      throw new GlueArgumentError(`collate: expected example indices in 0..${ds.size - 1}; found ${i}`);
    }
    if (padding === 'longest') seqLength = Math.max(seqLength, ds.offsets[i + 1]! - ds.offsets[i]!);
  }
  const inputIds = new Int32Array(b * seqLength).fill(ds.padTokenId);
  const attentionMask = new Int32Array(b * seqLength);
  const labels = ds.labels ? new (ds.labels.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(b) : null;
  const idx = new Int32Array(b);
  for (let r = 0; r < b; r++) {
    const i = indices[r]!;
    const start = ds.offsets[i]!;
    const length = ds.offsets[i + 1]! - start;
    inputIds.set(ds.ids.subarray(start, start + length), r * seqLength);
    attentionMask.fill(1, r * seqLength, r * seqLength + length);
    if (labels) labels[r] = ds.labels![i]!;
    idx[r] = ds.idx[i]!;
  }
  return { batchSize: b, seqLength, inputIds, attentionMask, labels, idx };
}

export interface BatchOptions {
  batchSize: number;
  padding?: Padding;
  /** Shuffle the order each epoch; the order depends only on (seed, epoch). */
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
  /** Drop a last, smaller batch. */
  dropLast?: boolean;
}

/** The batches of one epoch, in order or shuffled deterministically. */
export function* batches(ds: TokenizedDataset, options: BatchOptions): Generator<Batch> {
  const { batchSize, padding = 'longest', shuffle = false, seed = 0, epoch = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new GlueArgumentError(`batches: expected batchSize to be a positive integer; found ${batchSize}`);
  }
  const order = shuffle ? permutation(ds.size, mixSeed(seed, epoch)) : null;
  const count = batchCount(ds.size, batchSize, dropLast);
  for (let k = 0; k < count; k++) {
    const start = k * batchSize;
    const end = Math.min(start + batchSize, ds.size);
    const indices = order ? order.subarray(start, end) : range(start, end);
    yield collate(ds, indices, padding);
  }
}

/** How many batches an epoch has. */
export function batchCount(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

function range(start: number, end: number): Int32Array {
  const r = new Int32Array(end - start);
  for (let i = 0; i < r.length; i++) r[i] = start + i;
  return r;
}
