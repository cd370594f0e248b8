import { GlueArgumentError } from './errors.js';
import { getTask, type MetricName } from './tasks.js';

/**
 * The GLUE metrics exactly as HF `evaluate.load('glue', task)` computes them (scikit-learn and
 * scipy underneath), in float64 and stable for hundreds of thousands of items. Classification
 * metrics take class ids (integers); correlations take any numbers (STS-B passes float32 values).
 */
type Numbers = ArrayLike<number>;

/** Fraction of positions where the prediction equals the reference. */
export function accuracy(predictions: Numbers, references: Numbers): number {
  const n = checkPair(predictions, references, 'accuracy');
  let hits = 0;
  for (let i = 0; i < n; i++) if (predictions[i] === references[i]) hits++;
  return hits / n;
}

/** Binary F1 of the positive class 1 (ids must be 0 or 1); 0 when undefined (no positive anywhere), as scikit-learn. */
export function f1(predictions: Numbers, references: Numbers): number {
  const n = checkPair(predictions, references, 'f1');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < n; i++) {
    const p = predictions[i]!;
    const r = references[i]!;
    if ((p !== 0 && p !== 1) || (r !== 0 && r !== 1)) {
      throw new GlueArgumentError(`f1: expected binary class ids 0 or 1; found prediction ${p}, reference ${r} at index ${i}`);
    }
    if (p === 1 && r === 1) tp++;
    else if (p === 1) fp++;
    else if (r === 1) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/**
 * Matthews correlation in scikit-learn's multiclass form (Gorodkin's R_K, equal to the binary
 * formula for two classes) from the confusion counts; 0 when the denominator is 0.
 */
export function matthewsCorrelation(predictions: Numbers, references: Numbers): number {
  const n = checkPair(predictions, references, 'matthews_correlation');
  const predicted = new Map<number, number>();
  const actual = new Map<number, number>();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = classId(predictions[i]!, i, 'matthews_correlation');
    const r = classId(references[i]!, i, 'matthews_correlation');
    predicted.set(p, (predicted.get(p) ?? 0) + 1);
    actual.set(r, (actual.get(r) ?? 0) + 1);
    if (p === r) correct++;
  }
  // All counts are integers below 2^53 (n² too for n < 9·10⁷), so the covariances are exact.
  let dotTP = 0;
  for (const [k, t] of actual) dotTP += t * (predicted.get(k) ?? 0);
  let dotPP = 0;
  for (const p of predicted.values()) dotPP += p * p;
  let dotTT = 0;
  for (const t of actual.values()) dotTT += t * t;
  const covTP = correct * n - dotTP;
  const covPP = n * n - dotPP;
  const covTT = n * n - dotTT;
  if (covPP === 0 || covTT === 0) return 0;
  return covTP / rootOfProduct(covTT, covPP);
}

/** Pearson's r (scipy.stats.pearsonr), NaN when either input is constant. */
export function pearson(x: Numbers, y: Numbers): number {
  const n = checkPair(x, y, 'pearson');
  if (n < 2) throw new GlueArgumentError(`pearson: expected at least 2 values; found ${n}`);
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / rootOfProduct(sxx, syy);
  // rounding can step just past ±1; scipy clips too
  return Math.max(-1, Math.min(1, r));
}

/** Spearman's rho (scipy.stats.spearmanr): Pearson's r of the ranks, ties given their average rank. */
export function spearman(x: Numbers, y: Numbers): number {
  checkPair(x, y, 'spearmanr');
  return pearson(averageRanks(x), averageRanks(y));
}

/** 1-based ranks; equal values share the mean of the ranks they span (scipy.stats.rankdata 'average'). */
export function averageRanks(values: Numbers): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) throw new GlueArgumentError(`rank: expected numbers; found NaN at index ${i}`);
  }
  order.sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

const METRICS: Record<MetricName, (p: Numbers, r: Numbers) => number> = {
  matthews_correlation: matthewsCorrelation,
  accuracy,
  f1,
  pearson,
  spearmanr: spearman,
};

/**
 * The task's metrics under HF's keys (`matthews_correlation`, `accuracy`, `f1`, `pearson`,
 * `spearmanr`), plus `combined_score`, their mean, when there is more than one (as HF run_glue).
 * Classification predictions are class ids (argmax of the logits), regression predictions floats.
 */
export function computeGlueMetrics(task: string, predictions: Numbers, references: Numbers): Record<string, number> {
  const spec = getTask(task);
  if (spec.kind === 'classification') {
    const k = spec.labelNames.length;
    for (const [what, values] of [['prediction', predictions], ['reference', references]] as const) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= k) {
          throw new GlueArgumentError(
            `${spec.name}: expected ${what}s to be class ids 0..${k - 1} (${spec.labelNames.join(', ')}); found ${v} at index ${i}`,
          );
        }
      }
    }
  }
  const out: Record<string, number> = {};
  for (const name of spec.metrics) out[name] = METRICS[name](predictions, references);
  if (spec.metrics.length > 1) {
    out.combined_score = spec.metrics.reduce((s, name) => s + out[name]!, 0) / spec.metrics.length;
  }
  return out;
}

/** √(a·b) with one rounding (so perfect correlations come out exactly ±1), split only if a·b overflows. */
function rootOfProduct(a: number, b: number): number {
  const p = a * b;
  return Number.isFinite(p) ? Math.sqrt(p) : Math.sqrt(a) * Math.sqrt(b);
}

/** Mean with one refinement pass, so a large common offset does not cost digits. */
function mean(x: Numbers): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += x[i]! - m;
  return m + c / n;
}

function classId(v: number, i: number, metric: string): number {
  if (!Number.isInteger(v)) throw new GlueArgumentError(`${metric}: expected integer class ids; found ${v} at index ${i}`);
  return v;
}

function checkPair(a: Numbers, b: Numbers, metric: string): number {
  if (a.length !== b.length) {
    throw new GlueArgumentError(`${metric}: expected predictions and references of equal length; found ${a.length} and ${b.length}`);
  }
  if (a.length === 0) throw new GlueArgumentError(`${metric}: expected at least one prediction; found none`);
  return a.length;
}
