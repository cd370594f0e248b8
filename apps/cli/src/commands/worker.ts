import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import type { Io } from '../io.js';
import { BACKEND_OPTION } from '../run-options.js';
import { openQueue } from '../sweep/queue.js';
import { connectRedis, redactUrl } from '../sweep/redis.js';
import { startWorker, WORKER_NAME } from '../sweep/worker.js';

export const WORKER: CommandSpec = {
  name: 'worker',
  summary: 'Take runs of sweeps enqueued with edora sweep --queue and train them, one at a time, into their run folders (on storage every worker sees); start any number, on any machines. A run whose worker dies is handed to another worker after --lock-duration and resumes from its last checkpoint. Ctrl-C (or SIGTERM) stops the current run before its next step and returns it to the queue; a second Ctrl-C exits at once.',
  usage: 'Example: edora worker --queue redis://scheduler:6379/0 --backend auto',
  options: {
    queue: { type: 'string', placeholder: 'redis://host:port/db', help: 'the Redis the sweep was enqueued on (required)' },
    'queue-name': { type: 'string', default: 'edora-sweep', help: 'BullMQ queue name' },
    backend: BACKEND_OPTION,
    'lock-duration': { type: 'int', default: 60000, min: 1, help: 'ms a run\'s lock lasts unrenewed (renewed every half of it while training); a dead worker\'s run moves on after about this long' },
    'stalled-interval': { type: 'int', default: 30000, min: 1, help: 'ms between this worker\'s checks for runs whose worker died' },
    'max-stalled': { type: 'int', default: 3, min: 0, help: 'times a run may lose its worker before it counts as failed' },
    'exit-when-empty': { type: 'boolean', default: false, help: 'exit (code 0) once no run is waiting, delayed or running anywhere (for batch jobs); default: wait for more' },
  },
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function workerCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  const url = v.queue as string | undefined;
  if (url === undefined) throw new UsageError('worker: --queue redis://host:port/db is required: the Redis that edora sweep --queue enqueued on');
  const connection = await connectRedis(url);
  await selectBackend(v.backend as string);
  const log = (line: string): void => void io.stderr.write(`worker ${WORKER_NAME}: ${line}\n`);
  const stopping = new AbortController();
  let signalled = false;
  const onSignal = (name: string): void => {
    if (signalled) {
      log(`${name} again: exiting now (files written so far are whole; the run resumes elsewhere from its last checkpoint)`);
      process.exit(130);
    }
    signalled = true;
    log(`${name}: stopping after the current step`);
    stopping.abort(new Error(`worker stopped by ${name}`));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const queueName = v.queueName as string;
  const worker = startWorker({
    queueName, connection, log, signal: stopping.signal,
    lockDurationMs: v.lockDuration as number, stalledIntervalMs: v.stalledInterval as number, maxStalled: v.maxStalled as number,
  });
  const queue = openQueue(queueName, connection);
  log(`waiting for runs on queue ${queueName} at ${redactUrl(url)}`);
  try {
    while (!stopping.signal.aborted) {
      await Promise.race([sleep(1000), new Promise((r) => stopping.signal.addEventListener('abort', r, { once: true }))]);
      if (!v.exitWhenEmpty || stopping.signal.aborted) continue;
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
      if (Object.values(c).every((n) => n === 0)) {
        log('no run left in the queue: exiting');
        break;
      }
    }
    await worker.close();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await queue.close();
    connection.disconnect();
  }
  return signalled ? 130 : 0;
}
