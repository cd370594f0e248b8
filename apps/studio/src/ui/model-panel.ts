import { DEFAULT_DEMO_BASE, type DemoBaseSettings } from '@edora/demo';
import type { ModelRequest } from '../protocol.js';
import { StudioError } from '../engine/errors.js';
import type { App } from './app-state.js';
import { byId, el, numberInput, showError } from './dom.js';
import { droppedFolder, folderOfInput, pickFolder, type ChosenFolder } from './folder-source.js';
import { count } from './format.js';

/** Model section: the demo base (pretrained in the worker, kept in IndexedDB) or a chosen HF folder. */
export class ModelPanel {
  private folder: ChosenFolder | null = null;

  constructor(private readonly app: App) {
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=model-kind]')) radio.addEventListener('change', () => this.showKind());
    const input = byId<HTMLInputElement>('folder-input');
    byId('pick-folder').addEventListener('click', () => void pickFolder(input).then((f) => f && this.setFolder(f)).catch((e) => showError('model-error', e)));
    input.addEventListener('change', () => {
      const f = folderOfInput(input.files);
      if (f) this.setFolder(f);
    });
    const drop = byId('folder-options');
    drop.addEventListener('dragover', (e) => e.preventDefault());
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      if (e.dataTransfer) void droppedFolder(e.dataTransfer).then((f) => f && this.setFolder(f));
    });
    byId('load-model').addEventListener('click', () => void this.load().catch(() => undefined));
    // a changed choice makes the loaded model stale: Start loads it again
    byId('demo-options').addEventListener('change', () => this.stale());
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=model-kind]')) radio.addEventListener('change', () => this.stale());
    this.showKind();
  }

  private kind(): 'demo' | 'folder' {
    return document.querySelector<HTMLInputElement>('input[name=model-kind]:checked')!.value as 'demo' | 'folder';
  }

  private showKind(): void {
    byId('demo-options').hidden = this.kind() !== 'demo';
    byId('folder-options').hidden = this.kind() !== 'folder';
  }

  private stale(): void {
    if (!this.app.model) return;
    this.app.model = null;
    byId('model-status').textContent = 'Changed: Load model (or Start) loads it again.';
  }

  private setFolder(f: ChosenFolder): void {
    this.folder = f;
    this.stale();
    byId('folder-name').textContent = `${f.name}: ${[...f.files.keys()].join(', ')}`;
    showError('model-error', null);
  }

  demoSettings(): DemoBaseSettings {
    return { ...DEFAULT_DEMO_BASE, epochs: numberInput('pretrain-epochs'), sentences: numberInput('pretrain-sentences') };
  }

  /** Sets the form to a saved state's demo pretraining (the state brings the base itself). */
  restoreDemo(settings: DemoBaseSettings): void {
    document.querySelector<HTMLInputElement>('input[name=model-kind][value=demo]')!.checked = true;
    byId<HTMLInputElement>('pretrain-epochs').value = String(settings.epochs);
    byId<HTMLInputElement>('pretrain-sentences').value = String(settings.sentences);
    this.showKind();
  }

  private request(): ModelRequest {
    if (this.kind() === 'demo') return { kind: 'demo', settings: this.demoSettings() };
    if (!this.folder) throw new StudioError('model: expected a model folder; choose or drop one first');
    return { kind: 'folder', name: this.folder.name, files: [...this.folder.files] };
  }

  /** Loads the chosen model in the worker; errors are shown in the section and rethrown. */
  async load(): Promise<void> {
    const status = byId('model-status');
    const bar = byId<HTMLProgressElement>('pretrain-progress');
    showError('model-error', null);
    byId('model-summary').replaceChildren();
    this.app.model = null;
    try {
      const request = this.request();
      status.textContent = request.kind === 'demo' ? 'Preparing the demo base…' : `Reading ${request.name}…`;
      const summary = await this.app.client.request('model', { source: request });
      bar.hidden = true;
      this.app.model = summary;
      status.textContent = summary.cached ? 'Demo base loaded (pretrained on an earlier visit, kept in this browser).' : 'Model loaded.';
      const rows: [string, string][] = [
        ['Source', summary.source], ['Architecture', summary.architecture],
        ['Layers × hidden', `${summary.layers} × ${summary.hidden} (${summary.heads} heads, feed-forward ${summary.intermediate})`],
        ['Parameters', count(summary.parameters)], ['Vocabulary', count(summary.vocabulary)], ['Tokenizer', summary.tokenizer],
      ];
      byId('model-summary').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', k), el('dd', v)]));
      byId<HTMLButtonElement>('download-base').disabled = request.kind !== 'demo';
      this.app.changed();
    } catch (err) {
      bar.hidden = true;
      status.textContent = '';
      showError('model-error', err);
      throw err;
    }
  }

  /** Pretraining progress of the demo base. */
  pretrainStep(step: number, total: number, loss: number): void {
    const bar = byId<HTMLProgressElement>('pretrain-progress');
    bar.hidden = false;
    bar.max = total;
    bar.value = step;
    byId('model-status').textContent = `Pretraining the demo base: step ${step}/${total}, loss ${loss.toFixed(3)}`;
  }
}
