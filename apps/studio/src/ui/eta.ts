/**
 * Time left of a run from the steps so far: seconds per step averaged over the last `window` steps
 * (training speeds up after the first steps compile and warm up, so old steps would overstate it).
 */
export class EtaEstimator {
  private readonly times: number[] = [];
  private readonly tokens: number[] = [];

  constructor(private readonly window = 20) {}

  /** One finished step: its seconds and tokens. */
  add(seconds: number, tokens: number): void {
    this.times.push(seconds);
    this.tokens.push(tokens);
    if (this.times.length > this.window) {
      this.times.shift();
      this.tokens.shift();
    }
  }

  /** Seconds for `remaining` more steps; NaN before any step. */
  secondsLeft(remaining: number): number {
    if (this.times.length === 0) return NaN;
    return (remaining * this.times.reduce((a, b) => a + b, 0)) / this.times.length;
  }

  /** Tokens per second over the window; NaN before any step. */
  tokensPerSecond(): number {
    const t = this.times.reduce((a, b) => a + b, 0);
    return t > 0 ? this.tokens.reduce((a, b) => a + b, 0) / t : NaN;
  }
}
