import type { DataSummary } from '../protocol.js';
import type { ModelSummary } from '../engine/model-source.js';
import type { WorkerClient } from './worker-client.js';

/** What the panels share: the worker, and what is loaded in it. */
export interface App {
  client: WorkerClient;
  model: ModelSummary | null;
  data: DataSummary | null;
  training: boolean;
  /** Set after a run (or a stopped one) whose model can predict and be downloaded. */
  trained: boolean;
  /** Called when model or data change (the trainable count follows). */
  changed(): void;
}
