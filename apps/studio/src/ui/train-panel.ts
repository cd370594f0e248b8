import type { AdapterMethod } from '@edora/layers';
import type { EpochRecord, RunResults, StepRecord } from '@edora/train';
import type { TrainSettings } from '../engine/settings.js';
import type { RunPlan } from '../engine/run.js';
import type { App } from './app-state.js';
import { byId, numberInput, showError } from './dom.js';
import { EtaEstimator } from './eta.js';
import { count, duration, rate } from './format.js';
import { LiveChart } from './live-chart.js';

const FIELDS: [keyof TrainSettings, string][] = [
  ['rank', 'rank'], ['alpha', 'alpha'], ['lr', 'lr'], ['headLr', 'head-lr'], ['epochs', 'epochs'], ['batchSize', 'batch-size'], ['seed', 'seed'], ['maxLength', 'max-length'],
];

/** Training section: the form, the trainable count, start/pause/stop, progress with ETA and tokens/s, live plots. */
export class TrainPanel {
  readonly loss = new LiveChart(byId('loss-chart'), 'step', 'loss', '#c2410c');
  readonly metric = new LiveChart(byId('metric-chart'), 'epoch', 'validation metric', '#1d4ed8');
  private eta = new EtaEstimator();
  private paused = false;
  private planTimer = 0;

  constructor(private readonly app: App) {
    byId('train-form').addEventListener('input', () => this.replan());
    byId('train-form').addEventListener('submit', (e) => e.preventDefault());
    byId('pause').addEventListener('click', () => void this.togglePause());
    byId('stop').addEventListener('click', () => void app.client.request('stop', {}));
  }

  settings(): TrainSettings {
    const s = { method: byId<HTMLSelectElement>('method').value as AdapterMethod } as TrainSettings;
    for (const [key, id] of FIELDS) (s as unknown as Record<string, number>)[key] = numberInput(id);
    return s;
  }

  /** Sets the form to a saved state's settings. */
  restore(s: TrainSettings): void {
    byId<HTMLSelectElement>('method').value = s.method;
    for (const [key, id] of FIELDS) byId<HTMLInputElement>(id).value = String(s[key]);
  }

  /** Recounts the trainable parameters for the form's method and rank (debounced while typing). */
  replan(): void {
    clearTimeout(this.planTimer);
    if (!this.app.model || !this.app.data || this.app.training) return;
    this.planTimer = window.setTimeout(() => {
      const s = this.settings();
      this.app.client.request('plan', { settings: s }).then(
        ({ trainable, total }) => {
          byId('trainable').textContent = `Trainable parameters: ${count(trainable)} (${s.method}, r = ${s.rank}, with the classification head), ${((100 * trainable) / total).toFixed(2)}% of the base's ${count(total)}.`;
        },
        (err) => showError('train-error', err),
      );
    }, 150);
  }

  private async togglePause(): Promise<void> {
    this.paused = !this.paused;
    await this.app.client.request(this.paused ? 'pause' : 'resume', {});
    byId('pause').textContent = this.paused ? 'Resume' : 'Pause';
    byId('progress-text').textContent += this.paused ? ' — paused' : '';
    // a paused run can be saved and resumed later (even in another visit)
    byId<HTMLButtonElement>('download-state').disabled = !this.paused;
  }

  /** Buttons and fields while a run goes (true) or after it (false). */
  running(on: boolean): void {
    this.app.training = on;
    this.paused = false;
    byId('pause').textContent = 'Pause';
    byId<HTMLButtonElement>('pause').disabled = !on;
    byId<HTMLButtonElement>('stop').disabled = !on;
    byId<HTMLButtonElement>('start').disabled = on;
    for (const f of byId<HTMLFormElement>('train-form').elements) (f as HTMLInputElement).disabled = on;
  }

  begin(plan: RunPlan, metricName: string): void {
    this.eta = new EtaEstimator();
    this.loss.reset();
    this.metric.reset();
    byId('metric-caption').textContent = `Validation ${metricName} per epoch`;
    const bar = byId<HTMLProgressElement>('train-progress');
    bar.max = plan.totalSteps;
    bar.value = 0;
    byId('trainable').textContent = `Trainable parameters: ${count(plan.trainable)} of ${count(plan.total)} (${((100 * plan.trainable) / plan.total).toFixed(2)}%); ${count(plan.trainExamples)} training / ${count(plan.validationExamples)} validation examples, ${count(plan.totalSteps)} steps.`;
  }

  step(r: StepRecord): void {
    this.loss.push(r.step, r.loss);
    this.eta.add(r.tokens / Math.max(r.tokensPerSecond, 1e-9), r.tokens);
    const bar = byId<HTMLProgressElement>('train-progress');
    bar.value = r.step;
    bar.setAttribute('aria-valuetext', `step ${r.step} of ${r.totalSteps}`);
    const text = byId('progress-text');
    text.textContent = `epoch ${r.epoch}, step ${r.step}/${r.totalSteps} · loss ${r.loss.toFixed(4)} · ${rate(this.eta.tokensPerSecond())} tokens/s · ETA ${duration(this.eta.secondsLeft(r.totalSteps - r.step))}${this.paused ? ' — paused' : ''}`;
    text.dataset.tokensPerSecond = String(this.eta.tokensPerSecond());
    text.dataset.step = String(r.step);
  }

  epoch(r: EpochRecord, value: number): void {
    this.metric.push(r.epoch, value);
  }

  finish(results: RunResults, stopped: boolean): void {
    const text = byId('progress-text');
    const last = results.last;
    text.textContent = stopped ? `stopped at step ${byId<HTMLProgressElement>('train-progress').value}` : `done: ${results.steps} steps${last ? `, ${rate(last.tokensPerSecond)} tokens/s in the last epoch` : ''}`;
    if (last) text.dataset.tokensPerSecond = String(results.epochs.reduce((a, e) => a + e.tokensPerSecond * e.seconds, 0) / results.epochs.reduce((a, e) => a + e.seconds, 0));
  }
}
