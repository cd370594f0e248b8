import { describe, expect, it } from 'vitest';
import {
  batchCount, batches, collate, permutation, tokenizeExamples, tokenizeStream, type GlueExample, type Tokenizer,
} from '@edora/glue';
import { CHAR_SPECIALS, charTokenizer } from './char-tokenizer.js';

const { bos, pad, eos } = CHAR_SPECIALS;
const tok = charTokenizer();
const chars = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0) + 4);

const examples: GlueExample[] = [
  { idx: 0, textA: 'abc', label: 1 },
  { idx: 1, textA: 'a', textB: 'bb', label: 0 },
  { idx: 2, textA: 'abcdefghij', label: 1 },
  { idx: 3, textA: '', label: 0 },
  { idx: 4, textA: 'xy', label: 1 },
];

describe('tokenize and collate', () => {
  const ds = tokenizeExamples(examples, tok, { maxLength: 8 });

  it('stores ids back to back with offsets, labels as Int32 class ids', () => {
    expect(ds.size).toBe(5);
    expect(Array.from(ds.offsets)).toEqual([0, 5, 12, 20, 22, 26]) // 1+3+1, 1+1+2+2+1, 1+6+1 (truncated), 1+1, 1+2+1;
    expect(Array.from(ds.ids.subarray(20, 22))).toEqual([bos, eos]);
    expect(ds.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(ds.labels!)).toEqual([1, 0, 1, 0, 1]);
  });

  it("'longest' pads to the longest in the batch, 'max_length' to maxLength; masks mark real tokens", () => {
    const b = collate(ds, [3, 0], 'longest');
    expect([b.batchSize, b.seqLength]).toEqual([2, 5]);
    expect(Array.from(b.inputIds)).toEqual([bos, eos, pad, pad, pad, bos, ...chars('abc'), eos]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(b.labels!)).toEqual([0, 1]);
    expect(Array.from(b.idx)).toEqual([3, 0]);
    const m = collate(ds, [2], 'max_length');
    expect(m.seqLength).toBe(8);
    expect(Array.from(m.inputIds)).toEqual([bos, ...chars('abcdef'), eos]);
  });

  it('regression labels are Float32; unlabelled splits give labels null; mixing is an error', async () => {
    const reg = tokenizeExamples([{ idx: 0, textA: 'a', textB: 'b', label: 3.8 }], tok, { maxLength: 16, kind: 'regression' });
    expect(reg.labels).toEqual(Float32Array.of(3.8));
    const test = tokenizeExamples([{ idx: 7, textA: 'a', label: null }], tok, { maxLength: 16 });
    expect(test.labels).toBeNull();
    expect(collate(test, [0]).labels).toBeNull();
    expect(() => tokenizeExamples([{ idx: 0, textA: 'a', label: 1 }, { idx: 1, textA: 'b', label: null }], tok, { maxLength: 8 })).toThrow(
      'tokenize: example 1 is unlabelled but the ones before it are not',
    );
    expect(() => tokenizeExamples([{ idx: 0, textA: 'a', label: 0.5 }], tok, { maxLength: 8 })).toThrow("pass kind: 'regression'");
    async function* stream(): AsyncGenerator<GlueExample> {
      yield* examples;
    }
    expect(await tokenizeStream(stream(), tok, { maxLength: 8 })).toEqual(ds);
  });

  it('a tokenizer that pads itself must say so with its mask; one that does not truncate is caught', () => {
    const padding: Tokenizer = {
      padTokenId: 9,
      encode: (a) => ({ inputIds: [5, a.length, 9, 9], attentionMask: [1, 1, 0, 0] }),
    };
    const p = tokenizeExamples([{ idx: 0, textA: 'abc', label: 0 }], padding, { maxLength: 4 });
    expect(Array.from(p.ids)).toEqual([5, 3]);
    const long: Tokenizer = { padTokenId: 0, encode: () => ({ inputIds: [1, 2, 3, 4, 5] }) };
    expect(() => tokenizeExamples(examples, long, { maxLength: 4 })).toThrow('returned 5 tokens for example 0; expected at most maxLength 4');
    const holes: Tokenizer = { padTokenId: 0, encode: () => ({ inputIds: [1, 2, 3], attentionMask: [1, 0, 1] }) };
    expect(() => tokenizeExamples(examples, holes, { maxLength: 4 })).toThrow('expected attentionMask to be 1s then 0s');
  });
});

describe('batches', () => {
  const many: GlueExample[] = Array.from({ length: 103 }, (_, i) => ({ idx: i, textA: 'w'.repeat(i % 11), label: i % 2 }));
  const ds = tokenizeExamples(many, tok, { maxLength: 32 });
  const order = (options: Parameters<typeof batches>[1]): number[] => [...batches(ds, options)].flatMap((b) => Array.from(b.idx));

  it('in order without shuffle; every example once; a short last batch unless dropLast', () => {
    const all = [...batches(ds, { batchSize: 10 })];
    expect(all.map((b) => b.batchSize)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(order({ batchSize: 10 })).toEqual(many.map((e) => e.idx));
    expect([...batches(ds, { batchSize: 10, dropLast: true })]).toHaveLength(10);
    expect(batchCount(103, 10)).toBe(11);
    expect(batchCount(103, 10, true)).toBe(10);
  });

  it('shuffles deterministically: the order depends only on (seed, epoch), is a permutation, and changes with either', () => {
    const a = order({ batchSize: 16, shuffle: true, seed: 42, epoch: 0 });
    expect(order({ batchSize: 16, shuffle: true, seed: 42, epoch: 0 })).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(many.map((e) => e.idx));
    expect(a).not.toEqual(many.map((e) => e.idx));
    expect(order({ batchSize: 16, shuffle: true, seed: 42, epoch: 1 })).not.toEqual(a);
    expect(order({ batchSize: 16, shuffle: true, seed: 43, epoch: 0 })).not.toEqual(a);
    // the batch size does not change the order, only how it is cut
    expect(order({ batchSize: 7, shuffle: true, seed: 42, epoch: 0 })).toEqual(a);
  });

  it('the permutation is uniform enough: each position sees each item about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const trials = 20000;
    for (let s = 0; s < trials; s++) {
      const p = permutation(n, s);
      for (let i = 0; i < n; i++) counts[i]![p[i]!]!++;
    }
    // expected trials/n = 4000 per cell; a binomial sd is ~57, so 4000 ± 300 fails only if biased
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(300);
  });

  it('rejects bad options with the valid choices', () => {
    expect(() => [...batches(ds, { batchSize: 0 })]).toThrow('batches: expected batchSize to be a positive integer; found 0');
    expect(() => collate(ds, [0], 'max' as never)).toThrow("collate: expected padding 'max_length' or 'longest'; found \"max\"");
    expect(() => collate(ds, [103])).toThrow('collate: expected example indices in 0..102; found 103');
  });
});
