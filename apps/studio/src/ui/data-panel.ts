import { GLUE_TASK_NAMES, type GlueTaskName, type SyntheticTaskName } from '@edora/glue';
import type { DataSpec, NamedBlob } from '../engine/data-source.js';
import type { DataOrigin } from '../engine/state.js';
import { StudioError } from '../engine/errors.js';
import type { App } from './app-state.js';
import { byId, fillTable, numberInput, showError } from './dom.js';
import { count } from './format.js';

const named = (f: File | undefined | null): NamedBlob | undefined => (f ? { blob: f, name: f.name } : undefined);

/** Data section: the embedded synthetic task or dropped GLUE files, previewed; errors shown with file:line. */
export class DataPanel {
  private train: File | null = null;
  private validation: File | null = null;

  constructor(private readonly app: App, private readonly seed: () => number) {
    const select = byId<HTMLSelectElement>('glue-task');
    for (const t of GLUE_TASK_NAMES) select.append(new Option(t, t));
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=data-kind]')) radio.addEventListener('change', () => this.showKind());
    const trainInput = byId<HTMLInputElement>('train-file');
    const validationInput = byId<HTMLInputElement>('validation-file');
    trainInput.addEventListener('change', () => this.setFiles(trainInput.files?.[0] ?? null, this.validation));
    validationInput.addEventListener('change', () => this.setFiles(this.train, validationInput.files?.[0] ?? null));
    const drop = byId('data-drop');
    drop.addEventListener('dragover', (e) => e.preventDefault());
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length > 0) this.setFiles(files[0]!, files[1] ?? null);
    });
    byId('load-data').addEventListener('click', () => void this.load().catch(() => undefined));
    // a changed field makes the loaded data stale: Start reads it again
    for (const id of ['synthetic-options', 'glue-task']) byId(id).addEventListener('change', () => this.stale());
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=data-kind]')) radio.addEventListener('change', () => this.stale());
    this.showKind();
  }

  private kind(): 'synthetic' | 'files' {
    return document.querySelector<HTMLInputElement>('input[name=data-kind]:checked')!.value as 'synthetic' | 'files';
  }

  private showKind(): void {
    byId('synthetic-options').hidden = this.kind() !== 'synthetic';
    byId('file-options').hidden = this.kind() !== 'files';
  }

  private stale(): void {
    if (!this.app.data) return;
    this.app.data = null;
    byId('data-status').textContent = 'Changed: Load data (or Start) reads it again.';
  }

  /** New files are read at once, so a malformed one is reported as soon as it is dropped. */
  private setFiles(train: File | null, validation: File | null): void {
    this.train = train;
    this.validation = validation;
    if (train) void this.load().catch(() => undefined);
  }

  spec(): DataSpec {
    if (this.kind() === 'synthetic') {
      return { kind: 'synthetic', task: byId<HTMLSelectElement>('synthetic-task').value as SyntheticTaskName, trainSize: numberInput('train-size'), validationSize: numberInput('validation-size'), seed: this.seed() };
    }
    if (!this.train) throw new StudioError('data: expected a training file; choose or drop one first');
    const validation = named(this.validation);
    return { kind: 'files', task: byId<HTMLSelectElement>('glue-task').value as GlueTaskName, train: named(this.train)!, ...(validation ? { validation } : {}), seed: this.seed() };
  }

  /** Sets the form to a saved state's data (files must be given again: a state does not hold them). */
  restore(origin: DataOrigin): void {
    const kind = origin.kind;
    document.querySelector<HTMLInputElement>(`input[name=data-kind][value=${kind}]`)!.checked = true;
    if (origin.kind === 'synthetic') {
      byId<HTMLSelectElement>('synthetic-task').value = origin.task;
      byId<HTMLInputElement>('train-size').value = String(origin.trainSize);
      byId<HTMLInputElement>('validation-size').value = String(origin.validationSize);
    } else {
      byId<HTMLSelectElement>('glue-task').value = origin.task;
    }
    this.showKind();
  }

  async load(): Promise<void> {
    const status = byId('data-status');
    const table = byId<HTMLTableElement>('data-preview');
    showError('data-error', null);
    table.replaceChildren();
    this.app.data = null;
    try {
      const spec = this.spec();
      status.textContent = 'Reading…';
      const data = await this.app.client.request('data', { source: spec });
      this.app.data = data;
      status.textContent = `${data.task}: ${count(data.trainExamples)} training / ${count(data.validationExamples)} validation examples from ${data.source}.`;
      const pair = data.preview.some((e) => e.textB !== undefined);
      const label = (l: number | null): string => (l === null ? '' : data.labelNames[l] ?? l.toFixed(3));
      fillTable(table, pair ? ['#', 'sentence 1', 'sentence 2', 'label'] : ['#', 'sentence', 'label'],
        data.preview.map((e) => (pair ? [e.idx, e.textA, e.textB ?? '', label(e.label)] : [e.idx, e.textA, label(e.label)])));
      this.app.changed();
    } catch (err) {
      status.textContent = '';
      showError('data-error', err);
      throw err;
    }
  }
}
