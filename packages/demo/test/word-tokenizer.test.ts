import { describe, expect, it } from 'vitest';
import { BYTE_LEVEL_IDS, robertaPreset } from '@edora/models';
import { syntheticExamples, SYNTHETIC_ANIMALS } from '@edora/glue';
import { animalPairOf, syntheticVocabulary } from '../src/pretraining.js';
import { MAX_WORDS, wordTokenizer } from '../src/word-tokenizer.js';

describe('wordTokenizer', () => {
  const t = wordTokenizer(['a', 'cat', 'the']);

  it('gives each word one id after the specials and frames text as RoBERTa does', () => {
    expect(Array.from(t.encode('the cat').inputIds)).toEqual([0, 6, 5, 2]);
    expect(Array.from(t.encode('the cat', 'a cat').inputIds)).toEqual([0, 6, 5, 2, 2, 4, 5, 2]);
    expect(Array.from(t.encode('the dog').inputIds)).toEqual([0, 6, BYTE_LEVEL_IDS.unk, 2]);
    expect(t.padTokenId).toBe(BYTE_LEVEL_IDS.pad);
    expect(t.maskTokenId).toBe(BYTE_LEVEL_IDS.mask);
  });

  it('truncates the longer text first, B on a tie, and refuses a maxLength below the specials', () => {
    expect(Array.from(t.encode('the cat the cat', 'a', 6).inputIds)).toEqual([0, 6, 2, 2, 4, 2]);
    expect(Array.from(t.encode('the cat', 'a cat', 6).inputIds)).toEqual([0, 6, 2, 2, 4, 2]);
    expect(Array.from(t.encode('the cat a', undefined, 3).inputIds)).toEqual([0, 6, 2]);
    expect(() => t.encode('a', 'a', 3)).toThrow(/expected maxLength ≥ 4 .* found 3/);
  });

  it('fits the tiny preset\'s embedding table, and says so when a vocabulary does not', () => {
    expect(MAX_WORDS + BYTE_LEVEL_IDS.firstByte).toBe(robertaPreset('tiny').vocabSize - 1);
    expect(() => wordTokenizer(Array.from({ length: MAX_WORDS + 1 }, (_, i) => `w${i}`))).toThrow(new RegExp(`at most ${MAX_WORDS} words .* found ${MAX_WORDS + 1}`));
  });
});

describe('the demo base\'s pretraining target', () => {
  it('has a vocabulary with every word of both synthetic tasks, so no word maps to <unk>', () => {
    const t = wordTokenizer(syntheticVocabulary());
    for (const e of syntheticExamples('synthetic-pair', 'validation', { seed: 9, size: 300 })) {
      expect(Array.from(t.encode(e.textA, e.textB).inputIds)).not.toContain(BYTE_LEVEL_IDS.unk);
    }
    expect(syntheticVocabulary()).toEqual(expect.arrayContaining([...SYNTHETIC_ANIMALS, 'was', 'by', 'the']));
  });

  it('is the ordered pair of animals read off the sentence, independent of the synthetic label', () => {
    expect(animalPairOf('the quick fox chased the old ant at dawn')).toBe(SYNTHETIC_ANIMALS.indexOf('fox') * 10 + SYNTHETIC_ANIMALS.indexOf('ant'));
    expect(() => animalPairOf('the fox chased the river')).toThrow(/expected a synthetic sentence with 2 animals; found 1/);
    // the label of `synthetic` is a function of the pair (rank of first > rank of second) that the
    // pretraining never sees: each pair class holds one label, and both labels occur
    const seen = new Map<number, Set<number>>();
    for (const e of syntheticExamples('synthetic', 'train', { seed: 5, size: 500 })) {
      const pair = animalPairOf(e.textA);
      seen.set(pair, (seen.get(pair) ?? new Set()).add(e.label as number));
    }
    expect([...seen.values()].every((labels) => labels.size === 1)).toBe(true);
    expect(new Set([...seen.values()].flatMap((s) => [...s]))).toEqual(new Set([0, 1]));
  });
});
