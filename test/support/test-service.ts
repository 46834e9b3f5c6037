/** Starts the real service (workers, scheduler, queues) on a test database and queue prefix. */
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '../../config/load-config.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { createMailChannel } from '../../notify/channels/mail.ts';
import { createQueues, type Queues } from '../../workers/enqueue.ts';
import { startService, type Service } from '../../workers/main.ts';
import { createQueueBackend } from '../../workers/queue-backend.ts';
import { trackResource } from './resources.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The configuration of a test: no HTTP server unless the test sets ENVMON_HTTP_PORT (the default would bind 8080). */
export function testConfig(env: Record<string, string | undefined>): AppConfig {
  return loadConfig({ ENVMON_HTTP_PORT: 'off', ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) }, repoRoot);
}

export const quietLog: Logger = createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') });

export async function startTestService(config: AppConfig, now?: () => Date): Promise<Service> {
  const service = await startService(config, quietLog, now);
  const release = trackResource(`service on ${config.queuePrefix}`);
  return {
    ...service,
    stop: async () => {
      await service.stop();
      release();
    },
  };
}

/** Removes every Redis key under a queue prefix. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Queues of a test's namespace, to enqueue into and inspect; `close` releases them and their connections. */
export function openTestQueues(config: AppConfig, databaseUrl: string, redisUrl: string | null = null): Queues {
  const backend = createQueueBackend({ redisUrl, databaseUrl, prefix: config.queuePrefix });
  const queues = createQueues(backend, config);
  const release = trackResource(`test queues on ${config.queuePrefix}`);
  return {
    ...queues,
    close: async () => {
      await queues.close();
      await backend.close();
      release();
    },
  };
}

/**
 * What a processor receives, for calling one directly on a test database: no queue (enqueue does nothing), mail to
 * files nowhere (no notification is sent here), metrics of their own, the given clock.
 */
export function directJobDeps(config: AppConfig, database: { db: JobDeps['db']; pool: JobDeps['pool'] }, parameterIds: JobDeps['parameterIds'], now: () => Date): JobDeps {
  return { config, db: database.db, pool: database.pool, log: quietLog, adapters: new Map(), parameterIds, partitions: new Set(), enqueue: async () => undefined, mail: createMailChannel(null, '/nonexistent', 1_000), metrics: createMetrics(), now };
}
