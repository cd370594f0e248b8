import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WHOLE_NUMBERS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];

/**
 * A uPlot line chart that grows point by point (loss per step, metric per epoch) and follows its
 * container's width, so it reads at phone width too. The points are also kept as `data-points`
 * on the container, which the end-to-end test reads.
 */
export class LiveChart {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private readonly plot: uPlot;

  constructor(private readonly container: HTMLElement, xLabel: string, private readonly yLabel: string, color: string) {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 220,
        scales: { x: { time: false } },
        // whole steps and epochs only on the x axis
        axes: [{ label: xLabel, incrs: WHOLE_NUMBERS }, { label: yLabel }],
        series: [{ label: xLabel }, { label: yLabel, stroke: color, width: 2, points: { show: true, size: 4 } }],
        legend: { show: false },
      },
      [this.xs, this.ys],
      container,
    );
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 220 })).observe(container);
    container.setAttribute('role', 'img');
    this.describe();
  }

  private width(): number {
    return Math.max(240, Math.floor(this.container.clientWidth || 320));
  }

  private describe(): void {
    const last = this.ys.at(-1);
    this.container.dataset.points = String(this.ys.length);
    this.container.setAttribute('aria-label', `${this.yLabel}: ${this.ys.length} points${last === undefined ? '' : `, last ${last.toFixed(4)}`}`);
  }

  push(x: number, y: number): void {
    this.xs.push(x);
    this.ys.push(y);
    this.plot.setData([this.xs, this.ys]);
    this.describe();
  }

  reset(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.plot.setData([this.xs, this.ys]);
    this.describe();
  }
}
