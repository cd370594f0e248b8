/**
 * EDoRA Studio's page: wires the four sections to the training worker. Everything heavy (the
 * backend, the model, training) lives in the worker; the page shows and asks.
 */
import './style.css';
import type { WorkerEvent, BackendPreference } from './protocol.js';
import { webgl2Available } from '@edora/backend-gpujs';
import type { App } from './ui/app-state.js';
import { byId, showError } from './ui/dom.js';
import { DataPanel } from './ui/data-panel.js';
import { ModelPanel } from './ui/model-panel.js';
import { ResultsPanel } from './ui/results-panel.js';
import { TrainPanel } from './ui/train-panel.js';
import { WorkerClient } from './ui/worker-client.js';

// the panels below are made once `app` exists; events and `changed` only come after they are
const onEvent = (e: WorkerEvent): void => {
  if (e.event === 'pretrain') model.pretrainStep(e.step, e.totalSteps, e.loss);
  else if (e.event === 'built') train.begin(e.plan, app.data?.mainMetric ?? 'metric');
  else if (e.event === 'step') train.step(e.record);
  else if (e.event === 'epoch') train.epoch(e.record, e.value);
};

const app: App = {
  client: new WorkerClient(onEvent),
  model: null, data: null, training: false, trained: false,
  changed: () => train.replan(),
};
const model = new ModelPanel(app);
const train = new TrainPanel(app);
const data = new DataPanel(app, () => train.settings().seed);
const results = new ResultsPanel(app);

/** Starts the chosen backend in a fresh worker; what the old worker held must be loaded again. */
async function startBackend(preference: BackendPreference): Promise<void> {
  const status = byId('backend-status');
  status.textContent = 'starting…';
  const hadSomething = app.model !== null || app.data !== null;
  if (hadSomething) app.client.restart();
  app.model = null;
  app.data = null;
  app.trained = false;
  results.enable(false);
  try {
    const choice = await app.client.request('backend', { preference });
    status.textContent = `${choice.reason} — ${choice.device}`;
    status.dataset.backend = choice.name;
    document.body.dataset.backend = choice.name;
  } catch (err) {
    status.textContent = `could not start ${preference}: ${(err as Error).message}`;
    status.dataset.backend = '';
  }
}

async function start(resume: boolean): Promise<void> {
  showError('train-error', null);
  train.running(true);
  results.enable(false);
  try {
    if (!app.model) await model.load();
    if (!app.data) await data.load();
    const settings = train.settings();
    const { results: r, stopped } = await app.client.request('train', { settings, resume });
    train.finish(r, stopped);
    app.trained = true;
    results.show(r, stopped);
  } catch (err) {
    showError('train-error', err);
  } finally {
    train.running(false);
  }
}

byId('backend').addEventListener('change', (e) => void startBackend((e.target as HTMLSelectElement).value as BackendPreference));
byId('start').addEventListener('click', () => void start(false));
byId<HTMLInputElement>('state-file').addEventListener('change', (e) => void loadState(e.target as HTMLInputElement));

/** Loads a saved state chosen in the file input and resumes it; failures show in the train panel. */
async function loadState(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  if (!file) return;
  try {
    const { record, model: base } = await app.client.request('load-state', { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name });
    train.restore(record.settings);
    data.restore(record.data);
    if (record.model.kind === 'demo') model.restoreDemo(record.model.settings);
    // the demo base came with the state and is loaded; a folder must be chosen again
    app.model = base;
    app.data = null;
    byId('progress-text').textContent = `saved state at step ${record.step}/${record.totalSteps} loaded${record.data.kind === 'files' ? ` — drop ${record.data.train} again` : ''}; resuming…`;
    if (record.data.kind === 'synthetic') await start(true);
  } catch (err) {
    showError('train-error', err);
  } finally {
    input.value = '';
  }
}

// gpujs runs on WebGL2 only: without it the choice is not offered
if (!webgl2Available()) byId('backend').querySelector('option[value="gpujs"]')?.remove();
const initial = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendPreference;
byId<HTMLSelectElement>('backend').value = initial;
void startBackend(initial);
