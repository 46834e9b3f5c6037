/**
 * The job workers as a process of their own, for tests that kill a worker (SIGKILL) in the middle of a job. Run as
 * `node --import tsx test/support/worker-process.ts '<json>'` with {databaseUrl, redisUrl, prefix, name,
 * lockMs, rules}; prints "ready" once its workers run. Its database sessions carry
 * `name` as their application_name, so a test can see what the process is waiting on.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import { connectDatabase } from '../../db/connect.ts';
import { loadParameterIds } from '../../db/repositories/parameters.repository.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMetrics } from '../../lib/metrics.ts';
import { createMailChannel } from '../../notify/channels/mail.ts';
import { createQueues } from '../../workers/enqueue.ts';
import { startJobWorkers } from '../../workers/job-workers.ts';
import { createQueueBackend } from '../../workers/queue-backend.ts';

interface Options {
  databaseUrl: string;
  redisUrl: string | null;
  prefix: string;
  name: string;
  /** How long a job stays reserved without a renewal (short: a killed worker's job is soon taken over). */
  lockMs: number;
  rules: unknown[];
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const root = path.resolve(import.meta.dirname, '../..');
const base = loadConfig({ DATABASE_URL: options.databaseUrl, ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}), ENVMON_QUEUE_PREFIX: options.prefix }, root);
const config = { ...base, sources: [], rules: ruleSchema.array().parse(options.rules) };
const log = createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') });
const database = connectDatabase(options.databaseUrl, { max: 4, applicationName: options.name });
const backend = createQueueBackend({ redisUrl: options.redisUrl, databaseUrl: options.databaseUrl, prefix: options.prefix, lockMs: options.lockMs });
const queues = createQueues(backend, config);
const deps: JobDeps = {
  config,
  db: database.db,
  pool: database.pool,
  log,
  adapters: new Map(),
  parameterIds: await loadParameterIds(database.db),
  partitions: new Set(),
  enqueue: queues.enqueue,
  mail: createMailChannel(null, tmpdir(), 1_000),
  metrics: createMetrics(),
  now: () => new Date(),
};
const workers = startJobWorkers(backend, deps, 1);
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write('ready\n');

// Stopped with SIGTERM when a test is done with a healthy worker; killed with SIGKILL to simulate a crash.
process.once('SIGTERM', () => {
  void (async () => {
    await Promise.all(workers.map((w) => w.close(true)));
    await queues.close();
    await backend.close();
    await database.close();
    process.exit(0);
  })();
});
