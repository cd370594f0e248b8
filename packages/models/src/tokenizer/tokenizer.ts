import { ArgumentError } from '@edora/tensor';
import { AddedTokenSplitter, type AddedToken } from './added-tokens.js';
import { BytePairEncoder, type BpeTables } from './bpe.js';
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from './byte-unicode.js';
import { SpecialTokenError, TokenizerFileError } from './errors.js';
import { forEachWord } from './pre-tokenize.js';
import type { TokenizerSpec } from './spec.js';
import { longestFirst } from './truncation.js';

/** RoBERTa's default input length. */
export const DEFAULT_MAX_LENGTH = 128;

export interface TokenizerOptions {
  /** Default maximum length (special tokens included) of `encode` and `encodeBatch`. Default 128. */
  readonly maxLength?: number;
  /** Words whose BPE result is remembered. Default 50 000. */
  readonly cacheCapacity?: number;
}

/** One encoded input: `<s> A </s>` or `<s> A </s></s> B </s>`, truncated, not padded. */
export interface Encoding {
  readonly inputIds: number[];
  /** All ones (no padding here); kept so an `Encoding` reads like a row of a batch. */
  readonly attentionMask: number[];
}

/** An input of a batch: one text, or a pair. */
export type TextInput = string | readonly [string, string];

export interface BatchOptions {
  /** Maximum length, special tokens included. Default: the tokenizer's (128). */
  readonly maxLength?: number;
  /** `'longest'` (default): pad to the longest row; `'max_length'`: pad every row to `maxLength`. */
  readonly padding?: 'longest' | 'max_length';
}

/** A padded batch, row-major `[batchSize, seqLength]`, ready for int32 tensors. */
export interface BatchEncoding {
  readonly inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding (which is on the right). */
  readonly attentionMask: Int32Array;
  readonly shape: [batchSize: number, seqLength: number];
  /** The unpadded length of each row. */
  readonly lengths: number[];
}

export interface DecodeOptions {
  /** Leave out special tokens (`<s>`, `</s>`, `<pad>`, `<mask>`...). Default false. */
  readonly skipSpecialTokens?: boolean;
  /**
   * Undo the spaces English tokenization put before punctuation and contractions (" ." → ".",
   * " n't" → "n't"...), as HF transformers' `clean_up_tokenization_spaces`. Default false: decoding
   * then gives back exactly the encoded text.
   */
  readonly cleanUpTokenizationSpaces?: boolean;
}

const PAIR_SPECIALS = 4;
const SINGLE_SPECIALS = 2;
const UTF8 = new TextEncoder();
/**
 * Decoding keeps a leading U+FEFF: it is text the ids encode (HF decodes with Python's
 * `bytes.decode('utf-8', errors='replace')`, which keeps it), not a byte-order mark of a file.
 * Invalid sequences become U+FFFD, as there.
 */
const UTF8_TEXT = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * RoBERTa's byte-level BPE tokenizer (GPT-2's byte map, pre-tokenization and merges, RoBERTa's
 * framing), giving the same ids as HF's `RobertaTokenizerFast`. Build it with
 * `tokenizerFromVocabMerges`, `tokenizerFromJson`, `byteLevelTokenizer` or, in Node,
 * `loadTokenizer(dir)`. Browser-safe: it only takes strings.
 */
export class RobertaTokenizer {
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  /** One more than the largest id (vocabulary plus added tokens): the embedding rows needed. */
  readonly vocabSize: number;
  readonly maxLength: number;

  private readonly bpe: BytePairEncoder;
  private readonly splitter: AddedTokenSplitter;
  private readonly idToTokenTable: (string | undefined)[];
  private readonly tokenToIdTable: ReadonlyMap<string, number>;
  private readonly addedById: ReadonlyMap<number, AddedToken>;
  private readonly addPrefixSpace: boolean;

  constructor(spec: TokenizerSpec, options: TokenizerOptions = {}) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    checkMaxLength(this.maxLength, SINGLE_SPECIALS, 'options.maxLength');
    this.addPrefixSpace = spec.addPrefixSpace;
    this.bpe = new BytePairEncoder(buildTables(spec), options.cacheCapacity);
    this.splitter = new AddedTokenSplitter(spec.addedTokens);
    this.addedById = new Map(spec.addedTokens.map((t) => [t.id, t]));

    const tokenToId = new Map(spec.vocab);
    for (const t of spec.addedTokens) tokenToId.set(t.content, t.id);
    this.tokenToIdTable = tokenToId;
    const idToToken: (string | undefined)[] = [];
    for (const [token, id] of spec.vocab) idToToken[id] = token;
    for (const t of spec.addedTokens) idToToken[t.id] = t.content;
    this.idToTokenTable = idToToken;
    this.vocabSize = idToToken.length;

    const idOf = (role: string, token: string): number => {
      const id = tokenToId.get(token);
      if (id === undefined) {
        throw new SpecialTokenError(token, `special token ${role} = ${JSON.stringify(token)} is not in the vocabulary of ${spec.vocabFile} (nor among its added tokens)`);
      }
      return id;
    };
    const names = spec.specialTokens;
    this.bosTokenId = idOf('bos', names.bos);
    this.eosTokenId = idOf('eos', names.eos);
    this.padTokenId = idOf('pad', names.pad);
    this.unkTokenId = names.unk === undefined ? undefined : idOf('unk', names.unk);
    this.maskTokenId = names.mask === undefined ? undefined : idOf('mask', names.mask);
  }

  /** The ids of `text` alone: no special tokens added, no truncation. */
  encodeText(text: string): number[] {
    return this.encodeUpTo(text, Number.POSITIVE_INFINITY);
  }

  /**
   * The ids of `text` until at least `limit` of them exist (the last word may add a few more):
   * truncation needs only a prefix, so a 10 MB row costs what its first words cost.
   */
  private encodeUpTo(text: string, limit: number): number[] {
    const ids: number[] = [];
    const more = (): boolean => ids.length < limit;
    for (const piece of this.splitter.split(text)) {
      if (!more()) break;
      if (typeof piece === 'number') {
        ids.push(piece);
        continue;
      }
      const prefixed = this.addPrefixSpace && !piece.startsWith(' ') ? ` ${piece}` : piece;
      forEachWord(prefixed, (word) => {
        this.bpe.encodeWord(word, ids);
        return more();
      });
    }
    return ids;
  }

  /** The tokens (vocabulary strings, e.g. `['Hello', 'Ġworld']`) of `text`, without special tokens. */
  tokenize(text: string): string[] {
    return this.encodeText(text).map((id) => this.idToTokenTable[id]!);
  }

  /**
   * `<s> A </s>`, or `<s> A </s></s> B </s>` for a pair, truncated "longest first" to `maxLength`
   * tokens (special tokens included; pass `Infinity` for no truncation). Not padded.
   */
  encode(textA: string, textB?: string, maxLength: number = this.maxLength): Encoding {
    const specials = textB === undefined ? SINGLE_SPECIALS : PAIR_SPECIALS;
    checkMaxLength(maxLength, specials, 'maxLength');
    const budget = maxLength - specials;
    // Encode only what truncation can keep. For a pair, budget + 1 tokens tell which side is
    // longer, except when both reach it and an odd budget splits unevenly: then the full lengths
    // decide (longestFirst gives the longer side the extra token).
    let a = this.encodeUpTo(textA, budget + 1);
    let b = textB === undefined ? undefined : this.encodeUpTo(textB, budget + 1);
    if (b !== undefined && a.length > budget && b.length > budget && budget % 2 === 1) {
      a = this.encodeText(textA);
      b = this.encodeText(textB!);
    }
    const [keepA, keepB] = longestFirst(a.length, b?.length, budget);
    const ids = [this.bosTokenId];
    for (let i = 0; i < keepA; i++) ids.push(a[i]!);
    ids.push(this.eosTokenId);
    if (b !== undefined) {
      ids.push(this.eosTokenId);
      for (let i = 0; i < keepB; i++) ids.push(b[i]!);
      ids.push(this.eosTokenId);
    }
    return { inputIds: ids, attentionMask: new Array<number>(ids.length).fill(1) };
  }

  /** Encodes every input (texts or pairs) and pads on the right with `<pad>`, masks 0 there. */
  encodeBatch(inputs: readonly TextInput[], options: BatchOptions = {}): BatchEncoding {
    const maxLength = options.maxLength ?? this.maxLength;
    const padding = options.padding ?? 'longest';
    if (padding !== 'longest' && padding !== 'max_length') {
      throw new ArgumentError(`encodeBatch: padding must be one of 'longest', 'max_length'; found ${JSON.stringify(padding)}`);
    }
    if (padding === 'max_length' && !Number.isFinite(maxLength)) {
      throw new ArgumentError(`encodeBatch: padding 'max_length' needs a finite maxLength; found ${maxLength}`);
    }
    const rows = inputs.map((input) => (typeof input === 'string' ? this.encode(input, undefined, maxLength) : this.encode(input[0], input[1], maxLength)));
    const lengths = rows.map((r) => r.inputIds.length);
    const seqLength = padding === 'max_length' ? maxLength : Math.max(0, ...lengths);
    const inputIds = new Int32Array(rows.length * seqLength).fill(this.padTokenId);
    const attentionMask = new Int32Array(rows.length * seqLength);
    rows.forEach((row, r) => {
      inputIds.set(row.inputIds, r * seqLength);
      attentionMask.fill(1, r * seqLength, r * seqLength + row.inputIds.length);
    });
    return { inputIds, attentionMask, shape: [rows.length, seqLength], lengths };
  }

  /** Text of `ids`: byte-level tokens back to their bytes, added tokens as written, UTF-8 decoded. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const token = Number.isInteger(id) ? this.idToTokenTable[id] : undefined;
      if (token === undefined) {
        throw new ArgumentError(`decode: ids[${i}] = ${id} is not a token id (expected an integer id of the vocabulary, 0..${this.vocabSize - 1})`);
      }
      const added = this.addedById.get(id);
      if (added !== undefined) {
        if (!(added.special && options.skipSpecialTokens)) for (const b of UTF8.encode(token)) bytes.push(b);
        continue;
      }
      pushTokenBytes(token, bytes);
    }
    const text = UTF8_TEXT.decode(Uint8Array.from(bytes));
    return options.cleanUpTokenizationSpaces ? cleanUpTokenizationSpaces(text) : text;
  }

  /** The vocabulary string of `id`, or undefined. */
  idToToken(id: number): string | undefined {
    return this.idToTokenTable[id];
  }

  /** The id of a vocabulary string or added token, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenToIdTable.get(token);
  }

  /** True for the ids of special tokens (what `skipSpecialTokens` leaves out). */
  isSpecialId(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }
}

function checkMaxLength(maxLength: number, specials: number, what: string): void {
  if (!(maxLength === Number.POSITIVE_INFINITY || (Number.isInteger(maxLength) && maxLength >= specials))) {
    throw new ArgumentError(`${what}: expected an integer ≥ ${specials} (the special tokens of ${specials === PAIR_SPECIALS ? 'a pair' : 'one text'}) or Infinity; found ${maxLength}`);
  }
}

/**
 * A byte-level token's bytes. A token with a character outside the byte map (possible in a
 * hand-made vocabulary) is taken as its own UTF-8 text, as HF's ByteLevel decoder does.
 */
function pushTokenBytes(token: string, out: number[]): void {
  const start = out.length;
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) {
      out.length = start;
      for (const raw of UTF8.encode(token)) out.push(raw);
      return;
    }
    out.push(b);
  }
}

const CLEANUPS: readonly (readonly [string, string])[] = [
  [' .', '.'], [' ?', '?'], [' !', '!'], [' ,', ','], [" ' ", "'"],
  [" n't", "n't"], [" 'm", "'m"], [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"],
];

function cleanUpTokenizationSpaces(text: string): string {
  return CLEANUPS.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

/** ⌊√2^53⌋: the largest id range whose pair keys stay exact. */
const MAX_PAIR_STRIDE = 94_906_265;

/** Resolves the merges and byte tokens to ids; every merge must name tokens of the vocabulary. */
function buildTables(spec: TokenizerSpec): BpeTables {
  const { vocab } = spec;
  const byteIds = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    const id = vocab.get(BYTE_TO_CHAR[b]!);
    if (id === undefined) {
      throw new TokenizerFileError(spec.vocabFile, undefined, `not a byte-level vocabulary: no token for byte 0x${b.toString(16).padStart(2, '0')} (expected ${JSON.stringify(BYTE_TO_CHAR[b])}, GPT-2's character for it)`);
    }
    byteIds[b] = id;
  }
  let stride = 0;
  for (const id of vocab.values()) stride = Math.max(stride, id + 1);
  // pair keys left * stride + right must be exact doubles
  if (stride > MAX_PAIR_STRIDE) {
    throw new TokenizerFileError(spec.vocabFile, undefined, `expected token ids below ${MAX_PAIR_STRIDE} for a BPE vocabulary; found id ${stride - 1}`);
  }
  const rankOf = new Map<number, number>();
  const mergedId = new Int32Array(spec.merges.length);
  spec.merges.forEach(([left, right], rank) => {
    const ids = [left, right, left + right].map((token) => vocab.get(token));
    const missing = [left, right, left + right].filter((_, k) => ids[k] === undefined);
    if (missing.length > 0) {
      const { file, line } = spec.mergeLocation(rank);
      throw new TokenizerFileError(file, line, `merge ${JSON.stringify(`${left} ${right}`)} uses ${missing.map((m) => JSON.stringify(m)).join(' and ')}, not in the vocabulary of ${spec.vocabFile}`);
    }
    const key = ids[0]! * stride + ids[1]!;
    // A repeated merge ends up with its last rank, as in HF's merge map (collected in file order).
    rankOf.set(key, rank);
    mergedId[rank] = ids[2]!;
  });
  return { byteIds, stride, rankOf, mergedId };
}
