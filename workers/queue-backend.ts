/**
 * Where the queues live: Redis through ioredis when REDIS_URL is set, otherwise BullMQ's PostgreSQL backend in
 * the application's own database (schema `<prefix>_queue`), so the embedded default needs no Redis.
 */
import { Queue, Worker, createPostgresBackend, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  createQueue(name: string): Queue;
  createWorker(name: string, processor: Processor, options: Pick<WorkerOptions, 'concurrency' | 'autorun' | 'maxStalledCount' | 'lockDuration' | 'stalledInterval'>): Worker;
  /** Closes connections this backend opened for itself (queues and workers are closed by their owners first). */
  close(): Promise<void>;
}

export interface QueueBackendOptions {
  redisUrl: string | null;
  databaseUrl: string;
  prefix: string;
}

export function createQueueBackend(options: QueueBackendOptions): QueueBackend {
  return options.redisUrl ? redisBackend(options.redisUrl, options.prefix) : postgresBackend(options.databaseUrl, options.prefix);
}

function redisBackend(url: string, prefix: string): QueueBackend {
  const connections: Redis[] = [];
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null so a slow reply never fails a job.
  const connect = (blocking: boolean) => {
    const connection = new Redis(url, { maxRetriesPerRequest: blocking ? null : 20, connectTimeout: 10_000, lazyConnect: false });
    connections.push(connection);
    return connection;
  };
  const shared = connect(false);
  return {
    kind: 'redis',
    createQueue: (name) => new Queue(name, { connection: shared, prefix }),
    createWorker: (name, processor, opts) => new Worker(name, processor, { ...opts, connection: connect(true), prefix }),
    close: async () => {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function postgresBackend(databaseUrl: string, prefix: string): QueueBackend {
  const connection = { connectionString: databaseUrl, schema: `${prefix.replace(/-/g, '_')}_queue`, migrate: true, max: 4 };
  return {
    kind: 'postgres',
    // Each queue and worker owns a small pool and closes it itself.
    createQueue: (name) => new Queue(name, { connection }, createPostgresBackend) as unknown as Queue,
    createWorker: (name, processor, opts) => new Worker(name, processor, { ...opts, connection }, createPostgresBackend) as unknown as Worker,
    close: async () => undefined,
  };
}
