/**
 * Byte-pair encoding of one pre-tokenized word: start from one symbol per UTF-8 byte, then apply
 * the merge of lowest rank among adjacent pairs (the leftmost on a tie, which can only be the same
 * pair again) until no adjacent pair has a merge. This is the order of HF's BPE model and of
 * GPT-2's reference, which both reach the same result.
 *
 * O(n log n) in the word's n bytes, as HF's: the symbols are a linked list over an array and the
 * candidate pairs sit in a binary heap keyed by (rank, position); a merge links its neighbours and
 * pushes at most two new pairs, and a popped pair that a merge has since changed is skipped. (The
 * first version rescanned every pair after each merge: a 20,000-character word took 2.8 s.)
 *
 * Ids are resolved once at construction: a pair is a number key `left * stride + right`, so the
 * inner loop does no string work. Words repeat a lot in text, so results are cached per word.
 */
export interface BpeTables {
  /** The id of the single-byte token of each byte 0..255. */
  readonly byteIds: Int32Array;
  /** One more than the largest id a merge can involve; stride² stays below 2^53. */
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
    const merged = syms.length < 2 ? syms : mergeAll(syms, this.tables);
    if (this.cache.size < this.cacheCapacity) this.cache.set(word, merged.slice());
    for (const id of merged) out.push(id);
  }
}

/** The merged symbols of `syms` (one id per byte), lowest rank first, leftmost on a tie. */
function mergeAll(syms: readonly number[], tables: BpeTables): number[] {
  const { stride, rankOf, mergedId } = tables;
  const n = syms.length;
  const id = Int32Array.from(syms);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // heap entries: rank * n + left position, exact while rank · n < 2^53 (10^7 merges × 10^8 bytes)
  const heap = new PairHeap();
  const push = (left: number): void => {
    const right = next[left]!;
    if (right < 0) return;
    const rank = rankOf.get(id[left]! * stride + id[right]!);
    if (rank !== undefined) heap.push(rank * n + left);
  };
  for (let i = 0; i + 1 < n; i++) push(i);
  for (let key = heap.pop(); key !== undefined; key = heap.pop()) {
    const left = key % n;
    const rank = (key - left) / n;
    const right = next[left]!;
    // stale: the left symbol was merged away (id -1), or either side has changed since the push
    if (id[left]! < 0 || right < 0 || rankOf.get(id[left]! * stride + id[right]!) !== rank) continue;
    id[left] = mergedId[rank]!;
    id[right] = -1;
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    if (prev[left]! >= 0) push(prev[left]!);
    push(left);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(id[i]!);
  return out;
}

/** A binary min-heap of non-negative numbers. */
class PairHeap {
  private readonly items: number[] = [];

  push(v: number): void {
    const a = this.items;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= v) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = v;
  }

  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
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
