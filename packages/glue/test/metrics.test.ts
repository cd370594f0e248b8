import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLUE_TASK_NAMES, GlueArgumentError, accuracy, averageRanks, computeGlueMetrics, f1, getTask, matthewsCorrelation, pearson, spearman } from '@edora/glue';

// Goldens: scripts/make-metric-goldens.py (scikit-learn / scipy, what HF evaluate's glue metric calls).
interface ClassCase { name: string; predictions: number[]; references: number[]; matthews_correlation: number; accuracy: number; f1?: number }
interface CorrCase { name: string; predictions: number[]; references: number[]; pearson: number; spearmanr: number }
const goldens = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures/metric-goldens.json'), 'utf8')) as {
  classification: ClassCase[];
  correlation: CorrCase[];
  formula: { n: number; matthews_correlation: number; accuracy: number; f1: number; pearson: number; spearmanr: number };
};

describe('closed forms, derived by hand', () => {
  it('binary MCC = (tp·tn − fp·fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn))', () => {
    // tp=3 tn=2 fp=1 fn=2 → (6 − 2) / √(4·5·3·4) = 4/√240
    const refs = [1, 1, 1, 1, 1, 0, 0, 0];
    const preds = [1, 1, 1, 0, 0, 1, 0, 0];
    expect(matthewsCorrelation(preds, refs)).toBeCloseTo(4 / Math.sqrt(240), 15);
    expect(matthewsCorrelation(refs, refs)).toBe(1);
    expect(matthewsCorrelation(refs.map((r) => 1 - r), refs)).toBe(-1);
  });

  it('MCC is 0 when undefined (a constant prediction or reference)', () => {
    expect(matthewsCorrelation([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(matthewsCorrelation([0, 1, 0, 1], [0, 0, 0, 0])).toBe(0);
  });

  it('accuracy and binary F1 = 2tp / (2tp + fp + fn), 0 when there is no positive', () => {
    const refs = [1, 1, 1, 1, 1, 0, 0, 0];
    const preds = [1, 1, 1, 0, 0, 1, 0, 0];
    expect(accuracy(preds, refs)).toBe(5 / 8);
    expect(f1(preds, refs)).toBe(6 / 9);
    expect(f1([0, 0, 0], [0, 0, 0])).toBe(0);
    expect(f1([1, 1], [0, 0])).toBe(0);
  });

  it('Pearson: exact lines give ±1, a constant gives NaN; Spearman uses average ranks for ties', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBe(1);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBe(-1);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNaN();
    // x=[1,2,3], y=[1,3,2]: deviations (−1,0,1) and (−1,1,0), Σdx·dy = 1, Σdx² = Σdy² = 2 → r = 1/2
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 15);
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
    // monotone but non-linear: Spearman 1, Pearson below 1
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBe(1);
    expect(pearson([1, 2, 3, 4], [1, 8, 27, 1000])).toBeLessThan(1);
  });

  it('each task names the metric the EDoRA paper reports (CoLA Matthews, STS-B Pearson, every other task accuracy, MRPC and QQP included), one of its metric keys', () => {
    const paper: Record<string, string> = {
      cola: 'matthews_correlation', sst2: 'accuracy', mrpc: 'accuracy', qqp: 'accuracy', stsb: 'pearson',
      mnli: 'accuracy', qnli: 'accuracy', rte: 'accuracy', wnli: 'accuracy',
    };
    expect(Object.fromEntries(GLUE_TASK_NAMES.map((t) => [t, getTask(t).mainMetric]))).toEqual(paper);
    for (const t of GLUE_TASK_NAMES) expect(getTask(t).metrics).toContain(getTask(t).mainMetric);
    expect(getTask('synthetic').mainMetric).toBe('accuracy');
  });

  it('computeGlueMetrics uses HF keys and adds combined_score when a task has several metrics', () => {
    expect(computeGlueMetrics('cola', [1, 0], [1, 0])).toEqual({ matthews_correlation: 1 });
    expect(computeGlueMetrics('sst2', [1, 0, 1, 1], [1, 0, 0, 1])).toEqual({ accuracy: 0.75 });
    const mrpc = computeGlueMetrics('mrpc', [1, 1, 1, 0, 0, 1, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0]);
    expect(mrpc).toEqual({ accuracy: 5 / 8, f1: 6 / 9, combined_score: (5 / 8 + 6 / 9) / 2 });
    const sts = computeGlueMetrics('stsb', [1, 2, 3], [1, 3, 2]);
    expect(Object.keys(sts)).toEqual(['pearson', 'spearmanr', 'combined_score']);
    expect(sts.pearson).toBeCloseTo(0.5, 15);
    expect(computeGlueMetrics('mnli', [0, 1, 2], [0, 2, 2]).accuracy).toBeCloseTo(2 / 3, 15);
  });

  it('rejects predictions that are not class ids, mismatched lengths and empty inputs', () => {
    expect(() => computeGlueMetrics('mnli', [0, 3], [0, 1])).toThrow('mnli: expected predictions to be class ids 0..2 (entailment, neutral, contradiction); found 3 at index 1');
    expect(() => computeGlueMetrics('sst2', [0.7], [1])).toThrow(GlueArgumentError);
    expect(() => accuracy([1, 0], [1])).toThrow('accuracy: expected predictions and references of equal length; found 2 and 1');
    expect(() => pearson([], [])).toThrow('expected at least one prediction');
    expect(() => f1([2], [1])).toThrow('f1: expected binary class ids 0 or 1');
  });
});

describe('goldens from scikit-learn and scipy', () => {
  for (const c of goldens.classification) {
    it(`classification: ${c.name}`, () => {
      // integers: exact up to the last bits of one division and one square root
      expect(matthewsCorrelation(c.predictions, c.references)).toBeCloseTo(c.matthews_correlation, 14);
      expect(accuracy(c.predictions, c.references)).toBe(c.accuracy);
      if (c.f1 !== undefined) expect(f1(c.predictions, c.references)).toBeCloseTo(c.f1, 14);
    });
  }
  for (const c of goldens.correlation) {
    it(`correlation (float32 inputs): ${c.name}`, () => {
      const preds = Float32Array.from(c.predictions);
      const refs = Float32Array.from(c.references);
      // scipy may accumulate these float32 inputs in float32; we use float64
      expect(pearson(preds, refs)).toBeCloseTo(c.pearson, 6);
      expect(spearman(preds, refs)).toBeCloseTo(c.spearmanr, 12);
    });
  }

  it(`${goldens.formula.n.toLocaleString('en')} items, correlation inputs offset by 1e6: stable and equal to the goldens`, () => {
    const n = goldens.formula.n;
    const preds = new Int32Array(n);
    const refs = new Int32Array(n);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // the same integer formulas as formula_inputs() in the script
      const a = (i * 7919) % 10007;
      const b = (i * 104729 + 12345) % 10009;
      refs[i] = a < 4000 ? 1 : 0;
      preds[i] = ((a + (b % 2000)) % 10007) < 4500 ? 1 : 0;
      x[i] = 1e6 + a / 10007;
      y[i] = 1e6 + (a + b / 10) / 10007;
    }
    expect(matthewsCorrelation(preds, refs)).toBeCloseTo(goldens.formula.matthews_correlation, 14);
    expect(accuracy(preds, refs)).toBe(goldens.formula.accuracy);
    expect(f1(preds, refs)).toBeCloseTo(goldens.formula.f1, 14);
    expect(pearson(x, y)).toBeCloseTo(goldens.formula.pearson, 10);
    expect(spearman(x, y)).toBeCloseTo(goldens.formula.spearmanr, 10);
  });
});
