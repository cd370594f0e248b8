/**
 * The Redis connection of queue mode, checked before BullMQ gets it: BullMQ and ioredis retry an
 * unreachable server forever, which on a cluster reads as a hang. Here a wrong URL or a server
 * that is down is an error within seconds, and a Redis older than BullMQ needs is named.
 */
import { Redis } from 'ioredis';
import { EdoraError } from '@edora/tensor';

/** Redis cannot be reached at the URL given, or is too old for BullMQ. */
export class QueueConnectionError extends EdoraError {
  constructor(message: string) {
    super('E_QUEUE_CONNECTION', message);
  }
}

const MIN_REDIS_MAJOR = 6;

/** The URL with any password masked, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}

function checkUrl(url: string): void {
  if (!/^rediss?:\/\/[^/]+/.test(url)) throw new QueueConnectionError(`--queue: expected a Redis URL redis://host:port/db (or rediss:// for TLS); found ${JSON.stringify(redactUrl(url))}`);
}

/**
 * Connects once with a short timeout and no retries, reads the server's version, and returns a
 * connection for BullMQ (which retries on its own from then on, as a worker should when Redis
 * restarts). `connectTimeoutMs` bounds how long an unreachable URL takes to fail.
 */
export async function connectRedis(url: string, connectTimeoutMs = 5000): Promise<Redis> {
  checkUrl(url);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: connectTimeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // connect() rejects with 'Connection is closed'; the cause (ECONNREFUSED, ENOTFOUND, ETIMEDOUT) comes as an error event
  let cause: Error | undefined;
  probe.on('error', (e: Error) => (cause ??= e));
  let version: string;
  try {
    await probe.connect();
    const info = await probe.info('server');
    version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? '0';
  } catch (e) {
    throw new QueueConnectionError(`--queue ${redactUrl(url)}: cannot reach Redis (${(cause ?? (e as Error)).message}); check that redis-server runs there and the URL is redis://host:port/db`);
  } finally {
    probe.disconnect();
  }
  if (Number(version.split('.')[0]) < MIN_REDIS_MAJOR) throw new QueueConnectionError(`--queue ${redactUrl(url)}: Redis ${version} is too old; BullMQ needs Redis ≥ ${MIN_REDIS_MAJOR}`);
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  connection.on('error', () => {}); // ioredis reconnects; BullMQ reports what fails
  return connection;
}
