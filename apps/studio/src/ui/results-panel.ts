import { metricValue, type RunResults } from '@edora/train';
import type { Downloadable } from '../protocol.js';
import type { App } from './app-state.js';
import { byId, el, fillTable, saveFile, showError } from './dom.js';

const DOWNLOADS: [string, Downloadable][] = [['download-adapter', 'adapter'], ['download-merged', 'merged'], ['download-base', 'base'], ['download-state', 'state']];

/** Results section: the paper's metric, per-epoch table, predictions on typed sentences, downloads. */
export class ResultsPanel {
  constructor(private readonly app: App) {
    byId('predict').addEventListener('click', () => void this.predict());
    for (const [id, what] of DOWNLOADS) {
      byId(id).addEventListener('click', () => {
        app.client.request('download', { what }).then(({ name, bytes }) => saveFile(name, bytes), (err) => showError('train-error', err));
      });
    }
  }

  show(results: RunResults, stopped: boolean): void {
    const metric = results.mainMetric;
    const last = results.last;
    const p = byId('metric-result');
    if (last) {
      const value = metricValue(last, metric);
      const best = results.best ? metricValue(results.best, metric) : NaN;
      p.replaceChildren(
        'Validation ', el('strong', metric), ` (the paper's metric for this task) after ${stopped ? `epoch ${last.epoch}, the last finished before Stop` : 'the last epoch'}: `,
        el('output', value.toFixed(4), { id: 'metric-value', 'data-value': String(value), 'data-metric': metric }),
        ` · best ${best.toFixed(4)} at epoch ${results.best?.epoch ?? '–'} · eval loss ${last.evalLoss.toFixed(4)}`,
      );
    } else {
      p.textContent = stopped ? 'Stopped before the first epoch ended: no validation score yet (the model can still predict and be downloaded).' : 'No epochs.';
    }
    const names = last ? Object.keys(last.metrics) : [];
    fillTable(byId<HTMLTableElement>('epoch-table'), ['epoch', 'train loss', 'eval loss', ...names, 'tokens/s'],
      results.epochs.map((e) => [e.epoch, e.trainLoss.toFixed(4), e.evalLoss.toFixed(4), ...names.map((n) => (e.metrics[n] ?? NaN).toFixed(4)), e.tokensPerSecond.toFixed(0)]));
    this.enable(true);
    void this.predict();
  }

  enable(on: boolean): void {
    byId<HTMLButtonElement>('predict').disabled = !on;
    for (const [id] of DOWNLOADS) if (id !== 'download-base') byId<HTMLButtonElement>(id).disabled = !on;
  }

  private texts(): { textA: string; textB?: string }[] {
    return byId<HTMLTextAreaElement>('predict-input').value.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line) => {
      const [a, b] = line.includes('\t') ? line.split('\t') : line.split(' ||| ');
      return b === undefined ? { textA: a!.trim() } : { textA: a!.trim(), textB: b.trim() };
    });
  }

  async predict(): Promise<void> {
    try {
      const predictions = await this.app.client.request('predict', { texts: this.texts() });
      const table = byId<HTMLTableElement>('predictions');
      fillTable(table, ['text', 'prediction', 'probabilities'], predictions.map((p) => [
        p.textB ? `${p.textA} ||| ${p.textB}` : p.textA, p.label, p.probabilities.map((x) => x.toFixed(3)).join(' / ') || p.logits.map((x) => x.toFixed(3)).join(', '),
      ]));
      // full precision for whoever checks the page's numbers (the end-to-end test)
      table.dataset.predictions = JSON.stringify(predictions.map((p) => ({ textA: p.textA, textB: p.textB, label: p.label, logits: p.logits })));
    } catch (err) {
      showError('train-error', err);
    }
  }
}
