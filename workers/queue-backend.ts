/**
 * Where the queues live: Redis through ioredis when REDIS_URL is set, otherwise BullMQ's PostgreSQL backend in
 * the application's own database (schema `<prefix>_queue`), so the embedded default needs no Redis.
 */
import { Queue, Worker, createPostgresBackend, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.ts';
import { connectionErrorReporter } from './connection-errors.ts';

export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  createQueue(name: string): Queue;
  createWorker(name: string, processor: Processor, options: Pick<WorkerOptions, 'concurrency' | 'autorun' | 'maxStalledCount'>): Worker;
  /** Tells of a lost connection to the queue server: one log line per 10 s for the whole backend. */
  connectionLost(error: Error): void;
  /** Closes connections this backend opened for itself (queues and workers are closed by their owners first). */
  close(): Promise<void>;
}

export interface QueueBackendOptions {
  redisUrl: string | null;
  databaseUrl: string;
  prefix: string;
  /** How long a running job stays reserved for its worker without a renewal, ms (`queues.lockSeconds`). */
  lockMs?: number;
  /** Told of a lost connection to the queue server (its client reconnects by itself); one line per 10 s. */
  log?: Pick<Logger, 'warn'>;
}

/**
 * Half BullMQ's own default (30 s): a job whose claim was lost — its worker died, or Redis went away between
 * handing the job out and the worker hearing of it — is taken over within 15–30 s instead of 30–60 s. Renewals
 * every 7.5 s cost nothing, and no envmon job blocks its worker's event loop for anything near 15 s.
 */
const DEFAULT_LOCK_MS = 15_000;

export function createQueueBackend(options: QueueBackendOptions): QueueBackend {
  // A worker renews its jobs' locks at half the lock time; jobs of a dead worker are looked for as often as a lock
  // lasts, so one is taken over within about twice the lock time.
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const locking = { lockDuration: lockMs, stalledInterval: lockMs };
  const connectionLost = connectionErrorReporter(options.log);
  return options.redisUrl ? redisBackend(options.redisUrl, options.prefix, locking, connectionLost) : postgresBackend(options.databaseUrl, options.prefix, locking, connectionLost);
}

type Locking = Pick<WorkerOptions, 'lockDuration' | 'stalledInterval'>;

function redisBackend(url: string, prefix: string, locking: Locking, connectionLost: (error: Error) => void): QueueBackend {
  const connections: Redis[] = [];
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null so a slow reply never fails a job.
  const connect = (blocking: boolean) => {
    const connection = new Redis(url, { maxRetriesPerRequest: blocking ? null : 20, connectTimeout: 10_000, lazyConnect: false });
    // Without a listener ioredis prints every failed reconnect to the console, outside the JSON log.
    connection.on('error', connectionLost);
    connections.push(connection);
    return connection;
  };
  const shared = connect(false);
  return {
    kind: 'redis',
    createQueue: (name) => new Queue(name, { connection: shared, prefix }),
    createWorker: (name, processor, opts) => new Worker(name, processor, { ...locking, ...opts, connection: connect(true), prefix }),
    connectionLost,
    close: async () => {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function postgresBackend(databaseUrl: string, prefix: string, locking: Locking, connectionLost: (error: Error) => void): QueueBackend {
  // Each queue and worker owns a pool (plus a LISTEN connection) and closes it itself. An instance has a queue and
  // a worker per job, so pools are kept to two connections that close when idle: two instances must fit in
  // PostgreSQL's default max_connections (100) beside envmon's own pool.
  const base = { connectionString: databaseUrl, schema: `${prefix.replace(/-/g, '_')}_queue`, migrate: true, idleTimeoutMillis: 2_000 };
  const queueConnection = { ...base, max: 1 };
  const workerConnection = { ...base, max: 2 };
  return {
    kind: 'postgres',
    createQueue: (name) => new Queue(name, { connection: queueConnection }, createPostgresBackend) as unknown as Queue,
    createWorker: (name, processor, opts) =>
      new Worker(name, processor, { ...locking, ...opts, connection: workerConnection }, createPostgresBackend) as unknown as Worker,
    connectionLost,
    close: async () => undefined,
  };
}
