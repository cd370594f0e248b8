/**
 * The messages between the page and the training worker. The page sends requests with an id and
 * gets one reply per id; the worker also sends events (pretraining and training progress) at any time.
 */
import type { DemoBaseSettings } from '@edora/demo';
import type { GlueExample } from '@edora/glue';
import type { EpochRecord, RunResults, StepRecord } from '@edora/train';
import type { DataSpec } from './engine/data-source.js';
import type { ModelSummary } from './engine/model-source.js';
import type { Prediction, RunPlan } from './engine/run.js';
import type { TrainSettings } from './engine/settings.js';
import type { StateRecord } from './engine/state.js';

/** 'gpujs' (WebGL2 through gpu.js) is offered only where the browser has WebGL2, and never picked by 'auto'. */
export type BackendPreference = 'auto' | 'webgpu' | 'gpujs' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'gpujs', 'wasm', 'cpu'];

export interface BackendChoice {
  name: string;
  /** The backend's own description of its device (adapter, threads). */
  device: string;
  /** Why this backend runs, in a sentence for the page. */
  reason: string;
  /** Each better backend that could not start, with its error. */
  unavailable: string[];
}

export type ModelRequest = { kind: 'demo'; settings: DemoBaseSettings } | { kind: 'folder'; name: string; files: [string, File][] };

export type Downloadable = 'adapter' | 'merged' | 'base' | 'state';

export interface DataSummary {
  task: string;
  source: string;
  trainExamples: number;
  validationExamples: number;
  labelNames: string[];
  /** The paper's metric for the task (glue's `mainMetric`), which the run reports. */
  mainMetric: string;
  /** The first training rows. */
  preview: GlueExample[];
}

export interface Requests {
  backend: { args: { preference: BackendPreference }; result: BackendChoice };
  model: { args: { source: ModelRequest }; result: ModelSummary & { cached: boolean } };
  data: { args: { source: DataSpec }; result: DataSummary };
  plan: { args: { settings: TrainSettings }; result: { trainable: number; total: number } };
  train: { args: { settings: TrainSettings; resume: boolean }; result: { results: RunResults; plan: RunPlan; stopped: boolean } };
  pause: { args: Record<string, never>; result: null };
  resume: { args: Record<string, never>; result: null };
  stop: { args: Record<string, never>; result: null };
  predict: { args: { texts: { textA: string; textB?: string }[] }; result: Prediction[] };
  download: { args: { what: Downloadable }; result: { name: string; bytes: Uint8Array } };
  'load-state': { args: { bytes: Uint8Array; name: string }; result: { record: StateRecord; model: (ModelSummary & { cached: boolean }) | null } };
}

export type RequestType = keyof Requests;
export type RequestMessage = { [K in RequestType]: { id: number; type: K; args: Requests[K]['args'] } }[RequestType];

export type ReplyMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

export type WorkerEvent =
  | { event: 'pretrain'; step: number; totalSteps: number; loss: number }
  | { event: 'built'; plan: RunPlan }
  | { event: 'step'; record: StepRecord }
  | { event: 'epoch'; record: EpochRecord; metric: string; value: number };

export type WorkerMessage = ReplyMessage | WorkerEvent;
