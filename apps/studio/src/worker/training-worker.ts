/// <reference lib="webworker" />
/**
 * The studio's training worker: holds the backend, the base model, the data and the run, and
 * answers the page's requests (protocol.ts). Training runs here so the page stays responsive;
 * pause, resume and stop arrive as requests while `train` is still running.
 */
import { blobFolder, type ModelFolder } from '@edora/models';
import { decodeCheckpoint, metricValue, summarize, type EpochResult, type RunResults } from '@edora/train';
import { loadData, type DataSpec, type LoadedData } from '../engine/data-source.js';
import { demoBase, demoBaseFolder } from '../engine/demo-base.js';
import { mergedModelFiles } from '../engine/exports.js';
import { loadBase, summarizeFolder } from '../engine/model-source.js';
import { StudioRun } from '../engine/run.js';
import { readStateZip, runKeyOf, stateZip, type DataOrigin, type ModelOrigin } from '../engine/state.js';
import { plannedTrainable } from '../engine/trainable.js';
import { zipFolder } from '../engine/zip.js';
import type { RequestMessage, Requests, RequestType, WorkerEvent, WorkerMessage } from '../protocol.js';
import { chooseBackend } from './backend.js';
import { indexedDbBaseStore } from './base-store.js';
import { PauseGate } from './pause-gate.js';
import { StudioError } from '../engine/errors.js';

declare const self: DedicatedWorkerGlobalScope;

interface Base {
  folder: ModelFolder;
  origin: ModelOrigin;
  /** The demo base's files (downloads, saved states); null for a dropped folder. */
  files: Map<string, Uint8Array> | null;
}

const state: {
  base: Base | null;
  data: { loaded: LoadedData; origin: DataOrigin } | null;
  /** The base loaded for counting, by number of labels. */
  counting: { numLabels: number; model: Awaited<ReturnType<typeof loadBase>>['model'] } | null;
  run: StudioRun | null;
  runKey: string | null;
  checkpoint: Uint8Array | null;
  /** A checkpoint from a loaded state, used by the next `train` with resume. */
  resumeFrom: { checkpoint: Uint8Array; runKey: string } | null;
  results: RunResults | null;
  gate: PauseGate;
  abort: AbortController | null;
} = { base: null, data: null, counting: null, run: null, runKey: null, checkpoint: null, resumeFrom: null, results: null, gate: new PauseGate(), abort: null };

/** Adapters this small (trainable numbers) are checkpointed after every step; larger ones every 25 steps. */
const SMALL_ADAPTER = 200_000;

const post = (m: WorkerMessage, transfer: Transferable[] = []): void => self.postMessage(m, transfer);
const emit = (e: WorkerEvent): void => post(e);
/** Lets queued messages (pause, stop) in between steps: a resolved await alone never yields to them. */
const yieldToMessages = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** What an earlier request should have set; a request out of order is a StudioError saying which comes first. */
function need<T>(value: T | null, what: string): T {
  if (value === null) throw new StudioError(`expected you to ${what} first; found none yet`);
  return value;
}

function dataOriginOf(spec: DataSpec): DataOrigin {
  return spec.kind === 'synthetic'
    ? { kind: 'synthetic', task: spec.task, trainSize: spec.trainSize, validationSize: spec.validationSize }
    : { kind: 'files', task: spec.task, train: spec.train.name, validation: spec.validation?.name ?? null };
}

function dropRun(): void {
  state.run?.dispose();
  state.run = null;
  state.results = null;
  state.checkpoint = null;
}

function dropCounting(): void {
  if (state.counting) for (const p of state.counting.model.parameters()) p.dispose();
  state.counting = null;
}

const numLabelsOf = (d: LoadedData): number => (d.spec.kind === 'regression' ? 1 : d.spec.labelNames.length);

type Handler<K extends RequestType> = (args: Requests[K]['args']) => Promise<Requests[K]['result']>;

const handlers: { [K in RequestType]: Handler<K> } = {
  backend: async ({ preference }) => chooseBackend(preference),

  async model({ source }) {
    dropRun();
    dropCounting();
    if (source.kind === 'demo') {
      const base = await demoBase(source.settings, indexedDbBaseStore, {
        onStep: async (step, totalSteps, loss) => {
          emit({ event: 'pretrain', step, totalSteps, loss });
          await yieldToMessages();
        },
      });
      state.base = { folder: base.folder, origin: { kind: 'demo', settings: source.settings }, files: base.files };
      const s = source.settings;
      return { ...(await summarizeFolder(base.folder, `demo base: the tiny preset pretrained on ${s.sentences} synthetic sentences for ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`)), cached: base.cached };
    }
    const folder = blobFolder(source.name, new Map(source.files));
    const summary = await summarizeFolder(folder, source.name);
    state.base = { folder, origin: { kind: 'folder', name: source.name, parameters: summary.parameters }, files: null };
    return { ...summary, cached: false };
  },

  async data({ source }) {
    dropRun();
    const loaded = await loadData(source);
    state.data = { loaded, origin: dataOriginOf(source) };
    return {
      task: loaded.spec.name, source: loaded.source, trainExamples: loaded.train.length, validationExamples: loaded.validation.length,
      labelNames: [...loaded.spec.labelNames], mainMetric: loaded.spec.mainMetric, preview: loaded.train.slice(0, 5),
    };
  },

  async plan({ settings }) {
    const base = need(state.base, 'load a model');
    const data = need(state.data, 'load data');
    const numLabels = numLabelsOf(data.loaded);
    if (state.counting?.numLabels !== numLabels) {
      dropCounting();
      const { model } = await loadBase(base.folder, numLabels, settings.seed);
      if (state.abort) {
        // a run started while the base loaded: count, but do not keep a second copy beside it
        const counts = { trainable: plannedTrainable(model, settings.method, settings.rank), total: model.parameters().reduce((n, p) => n + p.size, 0) };
        for (const p of model.parameters()) p.dispose();
        return counts;
      }
      state.counting = { numLabels, model };
    }
    const model = state.counting!.model;
    return { trainable: plannedTrainable(model, settings.method, settings.rank), total: model.parameters().reduce((n, p) => n + p.size, 0) };
  },

  async train({ settings, resume }) {
    // one gate for the worker's life: a Pause pressed while the model loads or the run is built holds it after step 1
    const gate = state.gate;
    const base = need(state.base, 'load a model');
    const data = need(state.data, 'load data');
    dropRun();
    dropCounting(); // training builds its own copy; free the counting one's memory first
    const runKey = runKeyOf(settings, base.origin, data.origin);
    const from = resume ? need(state.resumeFrom, 'load a saved state') : null;
    if (from && from.runKey !== runKey) {
      throw new StudioError('resume: expected the settings, model and data the saved state was made with; found others (load the state again to restore its settings, and give the same data files)');
    }
    const run = await StudioRun.build(base.folder, data.loaded, settings);
    state.run = run;
    state.runKey = runKey;
    emit({ event: 'built', plan: run.plan });
    state.abort = new AbortController();
    const checkpointEvery = run.plan.trainable <= SMALL_ADAPTER ? 1 : 25;
    let stopped = false;
    // what a stopped run still reports: the epochs it finished
    const finished: EpochResult[] = [];
    let steps = from ? decodeCheckpoint(from.checkpoint).meta.step : 0;
    if (from) finished.push(...(decodeCheckpoint(from.checkpoint).meta.history));
    try {
      state.results = await run.fit(runKey, {
        signal: state.abort.signal,
        // A pause holds the loop where the state is whole: after the step's checkpoint when one
        // follows (fit writes it after this log, and at an epoch's end after evaluating), else here.
        onStep: async (record) => {
          emit({ event: 'step', record });
          steps = record.step;
          await yieldToMessages();
          const checkpointFollows = record.batch === record.batches || record.step % checkpointEvery === 0;
          if (!checkpointFollows) await gate.wait();
        },
        onEpoch: (record) => {
          finished.push(record);
          const metric = run.data.spec.mainMetric;
          emit({ event: 'epoch', record, metric, value: metricValue(record, metric) });
        },
        onCheckpoint: async (bytes) => {
          state.checkpoint = bytes;
          await gate.wait();
        },
      }, from?.checkpoint, checkpointEvery);
    } catch (err) {
      if (!state.abort.signal.aborted) throw err;
      stopped = true;
      state.results = summarize(finished, { steps, mainMetric: run.data.spec.mainMetric });
    } finally {
      state.abort = null;
      state.resumeFrom = null;
      gate.open(); // the next run starts unpaused
    }
    return { results: state.results!, plan: run.plan, stopped };
  },

  pause: async () => (state.gate.close(), null),
  resume: async () => (state.gate.open(), null),
  stop: async () => {
    state.abort?.abort();
    state.gate.open();
    return null;
  },

  predict: async ({ texts }) => need(state.run, 'train a model').predict(texts),

  async download({ what }) {
    const base = need(state.base, 'load a model');
    if (what === 'base') {
      if (base.files) return { name: 'edora-demo-base.zip', bytes: zipFolder('edora-demo-base', base.files) };
      throw new StudioError('download: expected the demo base; found your own folder, which you already have');
    }
    const run = need(state.run, 'train a model');
    if (what === 'state') {
      const checkpoint = need(state.checkpoint, 'train at least one step');
      const record = { settings: run.settings, model: base.origin, data: need(state.data, 'load data').origin, runKey: state.runKey! };
      return { name: 'edora-studio-state.zip', bytes: stateZip(record, checkpoint, base.files) };
    }
    const adapter = await run.adapterFiles();
    if (what === 'adapter') return { name: `edora-adapter-${run.settings.method}.zip`, bytes: zipFolder(`edora-adapter-${run.settings.method}`, new Map(Object.entries(adapter))) };
    const merged = await mergedModelFiles(base.folder, adapter, numLabelsOf(run.data), run.settings.seed);
    return { name: 'edora-merged-model.zip', bytes: zipFolder('edora-merged-model', merged) };
  },

  async 'load-state'({ bytes, name }) {
    const saved = readStateZip(bytes, name);
    if (saved.record.model.kind === 'demo') {
      if (!saved.base) throw new StudioError(`${name}: expected a base/ folder with the demo base the state's model names; found none`);
      dropRun();
      dropCounting();
      const folder = demoBaseFolder(saved.base);
      state.base = { folder, origin: saved.record.model, files: saved.base };
      state.resumeFrom = { checkpoint: saved.checkpoint, runKey: saved.record.runKey };
      return { record: saved.record, model: { ...(await summarizeFolder(folder, 'demo base from the saved state')), cached: true } };
    }
    state.resumeFrom = { checkpoint: saved.checkpoint, runKey: saved.record.runKey };
    return { record: saved.record, model: null };
  },
};


self.onmessage = async (e: MessageEvent<RequestMessage>) => {
  const { id, type, args } = e.data;
  try {
    const result = await (handlers[type] as Handler<typeof type>)(args as never);
    const transfer = result && typeof result === 'object' && 'bytes' in result && result.bytes instanceof Uint8Array ? [result.bytes.buffer] : [];
    post({ id, ok: true, result }, transfer);
  } catch (err) {
    const error = err as Error;
    post({ id, ok: false, error: { name: error.name ?? 'Error', message: error.message ?? String(err) } });
  }
};
