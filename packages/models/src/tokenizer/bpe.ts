/**
 * Byte-pair encoding of one pre-tokenized word: start from one symbol per UTF-8 byte, then apply
 * the merge of lowest rank among adjacent pairs (the leftmost on a tie, which can only be the same
 * pair again) until no adjacent pair has a merge. This is the order of HF's BPE model and of
 * GPT-2's reference, which both reach the same result.
 *
 * Ids are resolved once at construction: a pair is a number key `left * stride + right`, so the
 * inner loop does no string work. Words repeat a lot in text, so results are cached per word.
 */
export interface BpeTables {
  /** The id of the single-byte token of each byte 0..255. */
  readonly byteIds: Int32Array;
  /** One more than the largest id a merge can involve. */
  readonly stride: number;
  /** Pair key → rank (line order in merges.txt). */
  readonly rankOf: ReadonlyMap<number, number>;
  /** Rank → id of the merged token. */
  readonly mergedId: Int32Array;
}

export class BytePairEncoder {
  private readonly cache = new Map<string, readonly number[]>();
  private readonly symbols: number[] = [];

  constructor(
    private readonly tables: BpeTables,
    /** Words cached at most; beyond it new words are encoded but not remembered (as in HF). */
    private readonly cacheCapacity = 50_000,
  ) {}

  /** Appends the ids of `word` (a piece of the original text) to `out`. */
  encodeWord(word: string, out: number[]): void {
    const cached = this.cache.get(word);
    if (cached !== undefined) {
      for (const id of cached) out.push(id);
      return;
    }
    const syms = this.symbols;
    syms.length = 0;
    pushUtf8Ids(word, this.tables.byteIds, syms);
    this.merge(syms);
    if (this.cache.size < this.cacheCapacity) this.cache.set(word, syms.slice());
    for (const id of syms) out.push(id);
  }

  private merge(syms: number[]): void {
    const { stride, rankOf, mergedId } = this.tables;
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let at = -1;
      let left = syms[0]!;
      for (let i = 1; i < syms.length; i++) {
        const right = syms[i]!;
        const rank = rankOf.get(left * stride + right);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          at = i - 1;
        }
        left = right;
      }
      if (at < 0) return;
      syms[at] = mergedId[bestRank]!;
      syms.splice(at + 1, 1);
    }
  }
}

/**
 * The single-byte ids of `text`'s UTF-8 encoding. Written out rather than via TextEncoder because
 * words are short and many; a lone surrogate becomes U+FFFD, as TextEncoder does.
 */
function pushUtf8Ids(text: string, byteIds: Int32Array, out: number[]): void {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out.push(byteIds[c]!);
      continue;
    }
    if (c < 0x800) {
      out.push(byteIds[0xc0 | (c >> 6)]!, byteIds[0x80 | (c & 0x3f)]!);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out.push(
          byteIds[0xf0 | (cp >> 18)]!,
          byteIds[0x80 | ((cp >> 12) & 0x3f)]!,
          byteIds[0x80 | ((cp >> 6) & 0x3f)]!,
          byteIds[0x80 | (cp & 0x3f)]!,
        );
        continue;
      }
      c = 0xfffd;
    }
    out.push(byteIds[0xe0 | (c >> 12)]!, byteIds[0x80 | ((c >> 6) & 0x3f)]!, byteIds[0x80 | (c & 0x3f)]!);
  }
}
