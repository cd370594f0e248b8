import { metricValue, type EpochResult } from './results.js';

const W = 640;
const H = 360;
const PAD = { left: 56, right: 56, top: 36, bottom: 44 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round-ish axis bounds so ticks read well; a flat series gets a small band around it. */
function bounds(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-9) {
    lo -= 0.5 * (Math.abs(lo) || 1) * 0.1;
    hi += 0.5 * (Math.abs(hi) || 1) * 0.1;
  }
  return [lo, hi];
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? v.toExponential(1) : v.toFixed(a < 1 ? 3 : 2);
}

/** Each optimizer step's training loss, drawn under the evaluations' lines (x: steps / stepsPerEpoch epochs). */
export interface PlotSteps {
  losses: readonly { step: number; loss: number }[];
  stepsPerEpoch: number;
}

/** Legend width of a label: about 6.5 px per character at 12 px sans-serif, plus the line sample. */
const legendWidth = (label: string): number => 40 + 6.5 * label.length;

/** Where an evaluation sits on the epoch axis: the epochs done when it was made (records from before `epochFraction` ended their epoch). */
const epochsAt = (e: EpochResult): number => e.epochFraction ?? e.epoch;

/**
 * A self-contained SVG of train loss and eval loss (left axis) and the main metric (right axis)
 * at each evaluation, along an axis of epochs: an evaluation after an epoch sits at its number,
 * one made every N steps at the epochs it had done (step / steps per epoch), as the step losses.
 * Written by hand so the plot needs no renderer or dependency; any browser shows it.
 * Evaluations with several validation splits (MNLI) get one metric line per split: the reported
 * split's solid, the others dashed; the eval loss drawn is the reported split's.
 */
export function plotSvg(history: EpochResult[], mainMetric: string, title: string, reportedSplit?: string, steps?: PlotSteps): string {
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  const y1 = PAD.top;
  const perStep = steps !== undefined && steps.losses.length > 0;
  // x is epochs done, from 0 to the later of the last evaluation and the last step
  const span = Math.max(1e-9, ...history.map(epochsAt), ...(perStep ? [steps.losses.at(-1)!.step / steps.stepsPerEpoch] : []));
  const at = (epochs: number): number => x0 + ((x1 - x0) * epochs) / span;
  const xs = (i: number): number => at(epochsAt(history[i]!));
  const losses = [...history.flatMap((e) => [e.trainLoss, e.evalLoss]), ...(perStep ? steps.losses.map((s) => s.loss) : [])];
  const [lLo, lHi] = bounds(losses);
  // one metric line, or one per validation split; `metrics` is the reported split's
  const splitNames = Object.keys(history[0]?.splits ?? {});
  const metricLines = splitNames.length === 0
    ? [{ name: mainMetric, values: history.map((e) => metricValue(e, mainMetric)), reported: true }]
    : splitNames.map((split) => ({
      name: `${mainMetric} ${split.replace(/^validation_/, '')}`,
      values: history.map((e) => metricValue(e.splits?.[split] ?? { evalLoss: NaN, metrics: {} }, mainMetric)),
      reported: split === reportedSplit,
    }));
  const [mLo, mHi] = bounds(metricLines.flatMap((m) => m.values));
  const yl = (v: number): number => y0 - ((v - lLo) / (lHi - lLo)) * (y0 - y1);
  const ym = (v: number): number => y0 - ((v - mLo) / (mHi - mLo)) * (y0 - y1);
  const path = (vals: number[], y: (v: number) => number): string =>
    vals.map((v, i) => (Number.isFinite(v) ? `${xs(i).toFixed(1)},${y(v).toFixed(1)}` : null)).filter((p) => p !== null).join(' ');
  const series: { name: string; color: string; values: number[]; y: (v: number) => number; dash?: string }[] = [
    { name: 'train loss', color: '#1f77b4', values: history.map((e) => e.trainLoss), y: yl },
    { name: 'eval loss', color: '#1f77b4', values: history.map((e) => e.evalLoss), y: yl, dash: '5 4' },
    ...metricLines.map((m) => ({ name: m.name, color: '#d62728', values: m.values, y: ym, ...(m.reported ? {} : { dash: '5 4' }) })),
  ];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#1f77b4"/>`,
    `<line x1="${x1}" y1="${y0}" x2="${x1}" y2="${y1}" stroke="#d62728"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = y0 - ((y0 - y1) * k) / 4;
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" fill="#1f77b4">${fmt(lLo + ((lHi - lLo) * k) / 4)}</text>`);
    out.push(`<text x="${x1 + 6}" y="${y + 4}" fill="#d62728">${fmt(mLo + ((mHi - mLo) * k) / 4)}</text>`);
  }
  if (perStep) {
    // every optimizer step's loss, thin and light under the per-epoch lines
    const pts = steps.losses.filter((s) => Number.isFinite(s.loss)).map((s) => `${at(s.step / steps.stepsPerEpoch).toFixed(1)},${yl(s.loss).toFixed(1)}`).join(' ');
    out.push(`<polyline class="step-loss" fill="none" stroke="#9ecae1" stroke-width="1" points="${pts}"/>`);
  }
  // whole epochs, about ten labels at most
  const wholeEpochs = Math.floor(span + 1e-9);
  const tickEvery = Math.max(1, Math.ceil(wholeEpochs / 10));
  for (let k = 0; k <= wholeEpochs; k += tickEvery) out.push(`<text x="${at(k).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${k}</text>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`);
  for (const s of series) {
    const pts = path(s.values, s.y);
    if (pts) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts}"/>`);
    s.values.forEach((v, i) => {
      if (Number.isFinite(v)) out.push(`<circle cx="${xs(i).toFixed(1)}" cy="${s.y(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    });
  }
  let lx = x0 + 10;
  series.forEach((s) => {
    out.push(`<line x1="${lx}" y1="${y1 - 6}" x2="${lx + 20}" y2="${y1 - 6}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 24}" y="${y1 - 2}">${esc(s.name)}</text>`);
    // three entries fit at a fixed spacing; MNLI's four are spaced by their labels' widths
    lx += series.length > 3 ? legendWidth(s.name) : 150;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
