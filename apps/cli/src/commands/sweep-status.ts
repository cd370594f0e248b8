import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import type { Io } from '../io.js';
import { openQueue } from '../sweep/queue.js';
import { connectRedis, redactUrl } from '../sweep/redis.js';
import { queueStatus, statusText } from '../sweep/status.js';

export const SWEEP_STATUS: CommandSpec = {
  name: 'sweep status',
  summary: 'Progress of a queued sweep: runs done, running (with their step), failed and waiting, the number of workers and an ETA; on a terminal a live table redrawn every --interval seconds until the queue is empty (Ctrl-C leaves it), else printed once.',
  usage: 'Example: edora sweep status --queue redis://scheduler:6379/0',
  options: {
    queue: { type: 'string', placeholder: 'redis://host:port/db', help: 'the Redis the sweep was enqueued on (required)' },
    'queue-name': { type: 'string', default: 'edora-sweep', help: 'BullMQ queue name' },
    interval: { type: 'number', default: 2, min: 0, minExclusive: true, help: 'seconds between redraws of the live table' },
    once: { type: 'boolean', default: false, help: 'print once and exit, also on a terminal' },
  },
};

export async function sweepStatusCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  const url = v.queue as string | undefined;
  if (url === undefined) throw new UsageError('sweep status: --queue redis://host:port/db is required');
  const connection = await connectRedis(url);
  const queue = openQueue(v.queueName as string, connection);
  const where = `queue ${v.queueName as string} on ${redactUrl(url)}`;
  try {
    const live = io.stdout.isTTY && !v.once && !v.json;
    for (;;) {
      const s = await queueStatus(queue);
      if (v.json) io.stdout.write(JSON.stringify(s) + '\n');
      // live: home the cursor and clear the screen, then draw
      else io.stdout.write((live ? '\x1b[H\x1b[2J' : '') + statusText(s, where));
      if (!live || s.waiting + s.running === 0) break;
      await new Promise((r) => setTimeout(r, Math.max(0.2, v.interval as number) * 1000));
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return 0;
}
