import { describe, expect, it } from 'vitest';
import { SYNTHETIC_ANIMALS, getTask, syntheticExamples, type GlueExample } from '@edora/glue';

/**
 * Logistic regression by full-batch gradient descent on sparse binary/count features, in float64:
 * the baseline a task must defeat. Returns validation accuracy.
 */
function logisticRegression(train: number[][][], trainY: number[], test: number[][][], testY: number[], dims: number): number {
  const w = new Float64Array(dims);
  let b = 0;
  const score = (x: number[][]): number => x.reduce((s, [j, v]) => s + w[j!]! * v!, b);
  const lr = 0.5;
  for (let epoch = 0; epoch < 300; epoch++) {
    const g = new Float64Array(dims);
    let gb = 0;
    for (let i = 0; i < train.length; i++) {
      const err = 1 / (1 + Math.exp(-score(train[i]!))) - trainY[i]!;
      for (const [j, v] of train[i]!) g[j!]! += err * v!;
      gb += err;
    }
    for (let j = 0; j < dims; j++) w[j]! -= lr * (g[j]! / train.length + 1e-4 * w[j]!);
    b -= (lr * gb) / train.length;
  }
  let hits = 0;
  for (let i = 0; i < test.length; i++) if ((score(test[i]!) > 0 ? 1 : 0) === testY[i]) hits++;
  return hits / test.length;
}

/** Sparse features from a per-example function returning feature names with values. */
function featurize(rows: GlueExample[], names: (e: GlueExample) => Map<string, number>, vocab: Map<string, number>, grow: boolean): number[][][] {
  return rows.map((e) => {
    const out: number[][] = [];
    for (const [name, v] of names(e)) {
      if (!vocab.has(name) && grow) vocab.set(name, vocab.size);
      const j = vocab.get(name);
      if (j !== undefined) out.push([j, v]);
    }
    return out;
  });
}

function bagOfWords(prefix: string, text: string, into = new Map<string, number>()): Map<string, number> {
  for (const w of text.split(' ')) into.set(prefix + w, (into.get(prefix + w) ?? 0) + 1);
  return into;
}

const animalsIn = (text: string): string[] => text.split(' ').filter((w) => (SYNTHETIC_ANIMALS as readonly string[]).includes(w));

function compare(task: string, orderAware: (e: GlueExample) => Map<string, number>, bow: (e: GlueExample) => Map<string, number>): { bow: number; order: number } {
  const train = syntheticExamples(task, 'train', { seed: 1 });
  const validation = syntheticExamples(task, 'validation', { seed: 1 });
  const y = (rows: GlueExample[]): number[] => rows.map((r) => r.label!);
  const run = (features: (e: GlueExample) => Map<string, number>): number => {
    const vocab = new Map<string, number>();
    const xs = featurize(train, features, vocab, true);
    const vs = featurize(validation, features, vocab, false);
    return logisticRegression(xs, y(train), vs, y(validation), vocab.size);
  };
  return { bow: run(bow), order: run(orderAware) };
}

describe('embedded synthetic tasks', () => {
  it('are deterministic per (seed, split), GLUE-shaped, balanced, with distinct splits', () => {
    for (const task of ['synthetic', 'synthetic-pair']) {
      const spec = getTask(task);
      const a = syntheticExamples(task, 'train', { seed: 5 });
      expect(a).toHaveLength(spec.sizes.train!);
      expect(syntheticExamples(task, 'train', { seed: 5 })).toEqual(a);
      expect(syntheticExamples(task, 'train', { seed: 6 })).not.toEqual(a);
      expect(syntheticExamples(task, 'validation', { seed: 5 }).slice(0, 20)).not.toEqual(a.slice(0, 20));
      expect(a.every((e, i) => e.idx === i && typeof e.textA === 'string' && (e.textB !== undefined) === (spec.textFields.length === 2))).toBe(true);
      const positives = a.filter((e) => e.label === 1).length / a.length;
      expect(positives).toBeGreaterThan(0.45);
      expect(positives).toBeLessThan(0.55);
      expect(syntheticExamples(task, 'test', { size: 3 })).toHaveLength(3);
    }
    expect(syntheticExamples('synthetic', 'train', { seed: 0, size: 2 }).map((e) => e.textA)).toEqual(
      syntheticExamples('synthetic', 'train', { seed: 0, size: 2 }).map((e) => e.textA),
    );
    expect(() => syntheticExamples('sst2', 'train')).toThrow('task sst2 is not synthetic');
    expect(() => syntheticExamples('synthetic', 'dev')).toThrow('task synthetic has no split "dev"; expected one of train, validation, test');
  });

  it('synthetic: a bag-of-words logistic regression stays at chance, word order (which animal comes first) solves it', () => {
    const { bow, order } = compare(
      'synthetic',
      (e) => {
        const [first, second] = animalsIn(e.textA);
        return new Map([[`first:${first}`, 1], [`second:${second}`, 1]]);
      },
      (e) => bagOfWords('', e.textA),
    );
    // 500 validation examples: chance is 0.5 ± 0.022 (one standard deviation)
    expect(Math.abs(bow - 0.5)).toBeLessThan(0.08);
    expect(order).toBeGreaterThan(0.97);
  });

  it('synthetic-pair: bags of words of both sentences stay at chance, who-acts-on-whom solves it', () => {
    const { bow, order } = compare(
      'synthetic-pair',
      (e) => {
        const same = animalsIn(e.textA)[0] === animalsIn(e.textB!)[0] ? 1 : 0;
        const passive = e.textB!.includes(' was ') ? 1 : 0;
        return new Map([['same-first', same], ['passive', passive], ['same-first×passive', same * passive]]);
      },
      (e) => bagOfWords('b:', e.textB!, bagOfWords('a:', e.textA)),
    );
    expect(Math.abs(bow - 0.5)).toBeLessThan(0.08);
    expect(order).toBeGreaterThan(0.97);
  });
});
