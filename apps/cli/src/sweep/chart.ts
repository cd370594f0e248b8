/**
 * A small self-contained SVG chart of points with error bars, one coloured series per method,
 * written by hand (as @edora/train's run plot) so a report needs no renderer or dependency.
 */
export interface ChartPoint {
  x: number;
  y: number;
  /** The spread drawn as an error bar (min and max over seeds). */
  lo: number;
  hi: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A log10 x axis (trainable parameters span decades). */
  logX?: boolean;
  series: ChartSeries[];
}

const W = 640;
const H = 380;
const PAD = { left: 64, right: 150, top: 36, bottom: 48 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? v.toExponential(1) : v.toFixed(a < 1 ? 3 : 2);
}

/** [lo, hi] of the finite values, widened a little when flat. */
function range(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-12) {
    const pad = 0.05 * (Math.abs(lo) || 1);
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

export function chartSvg(c: Chart): string {
  const points = c.series.flatMap((s) => s.points);
  const tx = (x: number): number => (c.logX ? Math.log10(x) : x);
  const [xlo, xhi] = range(points.map((p) => tx(p.x)));
  const [ylo, yhi] = range(points.flatMap((p) => [p.lo, p.hi, p.y]));
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  const y1 = PAD.top;
  const sx = (x: number): number => x0 + ((tx(x) - xlo) / (xhi - xlo)) * (x1 - x0);
  const sy = (y: number): number => y0 - ((y - ylo) / (yhi - ylo)) * (y0 - y1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(c.title)}</text>`,
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`,
    `<text x="${(x0 + x1) / 2}" y="${H - 10}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text x="16" y="${(y0 + y1) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(y0 + y1) / 2})">${esc(c.yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const yv = ylo + ((yhi - ylo) * i) / 4;
    out.push(`<text x="${x0 - 6}" y="${sy(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`, `<line x1="${x0}" y1="${sy(yv)}" x2="${x1}" y2="${sy(yv)}" stroke="#eee"/>`);
  }
  const xTicks = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  for (const xv of xTicks.length <= 10 ? xTicks : [xTicks[0]!, xTicks.at(-1)!]) {
    out.push(`<text x="${sx(xv)}" y="${y0 + 16}" text-anchor="middle">${fmt(xv)}</text>`);
  }
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${sorted.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of sorted) {
      const x = sx(p.x).toFixed(1);
      out.push(
        `<line x1="${x}" y1="${sy(p.lo).toFixed(1)}" x2="${x}" y2="${sy(p.hi).toFixed(1)}" stroke="${color}"/>`,
        `<circle cx="${x}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.label}: ${fmt(p.x)} → ${p.y} (${p.lo} – ${p.hi})`)}</title></circle>`,
      );
    }
    out.push(`<rect x="${x1 + 16}" y="${y1 + 18 * i}" width="12" height="12" fill="${color}"/>`, `<text x="${x1 + 34}" y="${y1 + 18 * i + 10}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
