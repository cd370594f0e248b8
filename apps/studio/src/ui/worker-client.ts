import type { ReplyMessage, RequestType, Requests, WorkerEvent, WorkerMessage } from '../protocol.js';

/** An error the worker replied with, under its own name (FormatError, GlueFormatError, …). */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The page's side of protocol.ts: typed requests to the training worker, and its events. */
export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly onEvent: (e: WorkerEvent) => void) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module', name: 'edora-training' });
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if ('event' in m) return this.onEvent(m);
      this.settle(m);
    };
    worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new WorkerError('WorkerError', e.message || 'the training worker failed'));
      this.pending.clear();
    };
    return worker;
  }

  private settle(m: ReplyMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new WorkerError(m.error.name, m.error.message));
  }

  request<K extends RequestType>(type: K, args: Requests[K]['args'], transfer: Transferable[] = []): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, args }, transfer);
    });
  }

  /** A fresh worker (a backend switch): everything the old one held is gone. */
  restart(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new WorkerError('AbortError', 'the training worker was restarted'));
    this.pending.clear();
    this.worker = this.spawn();
  }
}
