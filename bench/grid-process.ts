/**
 * One process of bench:grid (bench/grid.ts forks it): envmon's own pieces in one role, so that each has its own RSS —
 * `listener` (the HJ 212 listeners, queueing what they accept), `worker` (every job worker) or `scheduler` (the
 * schedule entries of workers/main.ts). Configuration comes from the environment the bench passes, as for `envmon
 * start`. The clock is the bench's simulated one: simulated time runs `speed` times faster than real time from a
 * common origin, re-based by a `clock` message between the bench's phases. A worker reports what its jobs did on a
 * `report` message (job ids per queue, so the bench can tell a job run twice; when each site's evaluation that opened
 * an alert committed). `stop` closes everything in order and exits.
 */
import path from 'node:path';
import type { Job } from 'bullmq';
import { loadConfig } from '../config/load-config.ts';
import { connectDatabase } from '../db/connect.ts';
import { loadParameterIds } from '../db/repositories/parameters.repository.ts';
import type { JobDeps } from '../jobs/job-deps.ts';
import { createLogger } from '../lib/logger.ts';
import { createMetrics } from '../lib/metrics.ts';
import { createMailChannel } from '../notify/channels/mail.ts';
import { createQueues } from '../workers/enqueue.ts';
import { startHj212Listeners } from '../workers/hj212-listeners.ts';
import { startJobWorkers } from '../workers/job-workers.ts';
import { scheduleEntries } from '../workers/main.ts';
import { createQueueBackend } from '../workers/queue-backend.ts';
import { startScheduler } from '../workers/scheduler.ts';

export type GridRole = 'listener' | 'worker' | 'scheduler';

/** Simulated time `simMs` at real time `realMs`, running `speed` times as fast. */
export interface GridClock {
  simMs: number;
  realMs: number;
  speed: number;
}

export type ToChild = { type: 'clock'; clock: GridClock } | { type: 'report' } | { type: 'stop' };

export interface WorkerReport {
  /** Ids of the jobs this process completed, by queue. */
  completed: Record<string, string[]>;
  /** Minute values new or changed, summed over this process's ingest jobs. */
  minutesStored: number;
  /**
   * Site codes and the real time (ms) each evaluation that opened or fired an alert finished, i.e. had committed; `*`
   * for a derivation, which evaluates the sites it changed itself.
   */
  alertCommits: [string, number][];
  /** Derivations that derived hours: started, finished (ms), hours, sites evaluated. */
  derivations: [number, number, number, number][];
}

export type FromChild = { type: 'ready'; ports: Record<string, number> } | { type: 'report'; report: WorkerReport };

const role = process.argv[2] as GridRole;
let clock = JSON.parse(process.argv[3] ?? '{}') as GridClock;
const now = () => new Date(clock.simMs + (Date.now() - clock.realMs) * clock.speed);
const send = (message: FromChild) => process.send?.(message);

const config = loadConfig(process.env, path.resolve(import.meta.dirname, '..'));
const log = createLogger({ level: 'warn', write: (line) => process.stderr.write(`[${role} ${process.pid}] ${line}\n`) });
const database = connectDatabase(config.databaseUrl ?? '', { max: role === 'worker' ? config.queues.concurrency + 2 : 2, applicationName: `grid-${role}` });
const backend = createQueueBackend({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl ?? '', prefix: config.queuePrefix, log });
const queues = createQueues(backend, config);
const closers: (() => Promise<void>)[] = [];
const report: WorkerReport = { completed: {}, minutesStored: 0, alertCommits: [], derivations: [] };
let ports: Record<string, number> = {};

if (role === 'listener') {
  const listeners = await startHj212Listeners(config, queues.enqueue, database.db, log, now, createMetrics());
  ports = Object.fromEntries([...listeners].map(([id, l]) => [id, l.address().port]));
  closers.push(() => Promise.all([...listeners.values()].map((l) => l.close())).then(() => undefined));
} else if (role === 'worker') {
  const deps: JobDeps = {
    config,
    db: database.db,
    pool: database.pool,
    log,
    adapters: new Map(),
    parameterIds: await loadParameterIds(database.db),
    partitions: new Set(),
    enqueue: queues.enqueue,
    mail: createMailChannel(config.smtpUrl, config.varDir, config.notifications.timeoutMs),
    metrics: createMetrics(),
    now,
  };
  const workers = startJobWorkers(backend, deps, config.queues.concurrency);
  for (const worker of workers) worker.on('completed', (job) => record(worker.name, job));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  closers.push(() => Promise.all(workers.map((w) => w.close())).then(() => undefined));
} else {
  const scheduler = startScheduler({ entries: scheduleEntries(config, queues.enqueue), log, now });
  await scheduler.catchUp(60);
  closers.push(() => scheduler.stop());
}

function record(queue: string, job: Job): void {
  (report.completed[queue] ??= []).push(job.id ?? '');
  const result = job.returnvalue as { minutes?: number; hours?: number; evaluated?: number; alerts?: { opened: number; fired: number } } | null;
  if (queue === 'ingest') report.minutesStored += result?.minutes ?? 0;
  const alerted = result?.alerts !== undefined && result.alerts.opened + result.alerts.fired > 0;
  if (queue === 'evaluate' && alerted) report.alertCommits.push([(job.data as { site: string }).site, Date.now()]);
  if (queue === 'derive-minute-hours' && alerted) report.alertCommits.push(['*', Date.now()]);
  if (queue === 'derive-minute-hours' && (result?.hours ?? 0) > 0) report.derivations.push([job.processedOn ?? 0, Date.now(), result?.hours ?? 0, result?.evaluated ?? 0]);
}

process.on('message', (message: ToChild) => {
  if (message.type === 'clock') clock = message.clock;
  else if (message.type === 'report') send({ type: 'report', report });
  else
    void (async () => {
      for (const close of closers) await close();
      await queues.close();
      await backend.close();
      await database.close();
      process.exit(0);
    })();
});
send({ type: 'ready', ports });
