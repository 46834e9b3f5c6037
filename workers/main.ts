/**
 * The composition root: builds every client (database, queues, adapters, HTTP server) once, wires the workers and
 * the scheduler, and tears everything down in order on shutdown.
 */
import type { Worker } from 'bullmq';
import type { AppConfig } from '../config/load-config.ts';
import { openDatabase } from '../db/open-database.ts';
import { syncConfig } from '../db/sync-config.ts';
import type { JobDeps } from '../jobs/job-deps.ts';
import { pullJob } from '../jobs/pull.ts';
import type { Logger } from '../lib/logger.ts';
import { createMetrics, type Metrics } from '../lib/metrics.ts';
import { createAdapter } from '../sources/create-adapter.ts';
import { createQueues } from './enqueue.ts';
import type { Hj212Listener } from '../sources/hj212/tcp-listener.ts';
import { startWebServer, type WebServer } from '../web/server.ts';
import { ensureFirstOperator, firstOperatorNotice } from '../web/first-operator.ts';
import { startHj212Listeners } from './hj212-listeners.ts';
import { startJobWorkers } from './job-workers.ts';
import { createQueueBackend } from './queue-backend.ts';
import { startScheduler, type ScheduleEntry, type Scheduler } from './scheduler.ts';
import { checkSilenceJob } from '../jobs/check-silence.ts';
import { notifyJob } from '../jobs/notify.ts';
import { dailySummaryJob, reportDateFor } from '../jobs/daily-summary.ts';
import { periodReportJob, previousMonth, previousYear } from '../jobs/period-report.ts';
import { catchUpPeriodReports } from './period-report-catch-up.ts';
import { EVALUATE_PENDING_SCHEDULE, evaluatePendingJob } from '../jobs/evaluate-pending.ts';
import { DERIVE_MINUTE_HOURS_SCHEDULE, deriveMinuteHoursJob } from '../jobs/derive-minute-hours.ts';
import { PRUNE_MINUTE_DAYS_SCHEDULE, pruneMinuteDaysJob } from '../jobs/prune-minute-days.ts';
import { createMailChannel, type MailChannel } from '../notify/channels/mail.ts';

export interface Service {
  readonly databaseUrl: string;
  /** Ports the HJ 212 listeners listen on, by source id. */
  readonly listenerPorts: ReadonlyMap<string, number>;
  /** Where the web console is served (ENVMON_HTTP_PORT), or null without an HTTP server. */
  readonly consoleUrl: string | null;
  /** This service's metrics, as GET /metrics shows them (`metricsResponse`). */
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /**
   * Where a message for the person who started envmon goes, outside the log (the first operator's one-time
   * password must never reach a log line). Default: stderr.
   */
  readonly notice?: (text: string) => void;
}

/** How far back start-up looks for a slot that was missed while envmon was down. */
const CATCH_UP_MINUTES = 24 * 60;

export async function startService(config: AppConfig, log: Logger, now: () => Date = () => new Date(), options: ServiceOptions = {}): Promise<Service> {
  const notice = options.notice ?? ((text: string) => void process.stderr.write(text + '\n'));
  const database = await openDatabase(config, log);
  let workers: Worker[] = [];
  let scheduler: Scheduler | null = null;
  let web: WebServer | null = null;
  let listeners = new Map<string, Hj212Listener>();
  let mail: MailChannel | null = null;
  const backend = createQueueBackend({ redisUrl: config.redisUrl, databaseUrl: database.connectionString, prefix: config.queuePrefix, log, ...(config.queues.lockSeconds === undefined ? {} : { lockMs: config.queues.lockSeconds * 1000 }) });
  const queues = createQueues(backend, config);
  const metrics = createMetrics();
  metrics.watchQueues(queues.queues);

  const stop = async () => {
    // Order matters: no new work, then let running jobs finish, then close what they used.
    await scheduler?.stop();
    await Promise.all([...listeners.values()].map((l) => l.close()));
    await Promise.all(workers.map((w) => closeWorker(w, config.shutdownTimeoutMs, log)));
    await web?.close();
    mail?.close();
    await queues.close();
    await backend.close();
    await database.close();
    log.info('envmon stopped');
  };

  try {
    const parameterIds = await syncConfig(database.db, config);
    mail = createMailChannel(config.smtpUrl, config.varDir, config.notifications.timeoutMs);
    // A mail server that refuses us now is reported at once; messages wait in the outbox and are retried.
    await mail.verify().then(
      () => log.info('mail channel ready', { channel: mail?.kind }),
      (error: unknown) => log.error('mail server check failed; notifications will be retried', { reason: error instanceof Error ? error.message : String(error) }),
    );
    const deps: JobDeps = {
      config,
      db: database.db,
      pool: database.pool,
      log,
      adapters: new Map(config.sources.flatMap((s) => {
        const adapter = createAdapter(s);
        return adapter ? [[s.id, adapter] as const] : [];
      })),
      parameterIds,
      partitions: new Set(),
      enqueue: queues.enqueue,
      mail,
      metrics,
      now,
    };
    log.info('envmon starting', { role: config.role, queues: backend.kind, database: database.embedded ? 'embedded' : 'external', sources: config.sources.length, sites: config.sites.length });

    if (config.role !== 'scheduler') {
      workers = startJobWorkers(backend, deps, config.queues.concurrency);
      listeners = await startHj212Listeners(config, queues.enqueue, database.db, log, now, metrics);
    }
    if (config.role !== 'worker') {
      scheduler = startScheduler({ entries: scheduleEntries(config, queues.enqueue), log, now });
      await scheduler.catchUp(CATCH_UP_MINUTES);
      await catchUpPeriodReports(config, queues.enqueue, now());
    }
    if (config.httpPort !== null) {
      web = await startWebServer({ port: config.httpPort, host: config.httpHost, metrics }, { db: database.db, pool: database.pool, config, parameterIds, log, now, queues: { kind: backend.kind, queues: queues.queues } });
      const first = await ensureFirstOperator(database.db, now());
      if (first) notice(firstOperatorNotice(web.url, first.name, first.password));
      log.info('console listening', { url: web.url, ...(first ? { firstUser: first.name } : {}) });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const listenerPorts = new Map([...listeners].map(([id, l]) => [id, l.address().port]));
  return { databaseUrl: database.connectionString, listenerPorts, consoleUrl: web?.url ?? null, metrics, stop };
}

/**
 * What runs on a clock: every scheduled source's pulls (a disabled source's pull skips itself, so an operator's
 * enable takes effect without a restart), every no-data rule's check, the notification outbox, the daily summary
 * (start-up catches up a missed morning), the recovery of evaluations left pending (start-up runs it too) and the
 * derivation of hourly values from minute data.
 */
export function scheduleEntries(config: AppConfig, enqueue: JobDeps['enqueue']): ScheduleEntry[] {
  const pulls = config.sources.flatMap((s) =>
    'schedule' in s ? [{ key: `pull:${s.id}`, schedule: s.schedule, timeZone: s.timeZone, enqueue: (slot: Date) => enqueue(pullJob, { sourceId: s.id, slot: slot.toISOString() }) }] : [],
  );
  const checks = config.rules.flatMap((r) =>
    r.kind === 'no_data' ? [{ key: `check-silence:${r.id}`, schedule: r.schedule, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(checkSilenceJob, { ruleId: r.id, slot: slot.toISOString() }) }] : [],
  );
  const notify = { key: 'notify', schedule: config.notifications.schedule, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(notifyJob, { slot: slot.toISOString() }) };
  const summary = { key: 'daily-summary', schedule: config.notifications.dailySummarySchedule, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(dailySummaryJob, { date: reportDateFor(slot) }) };
  const monthly = { key: 'monthly-report', schedule: config.notifications.monthlyReportSchedule, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(periodReportJob, { kind: 'monthly', period: previousMonth(slot) }) };
  const annual = { key: 'annual-report', schedule: config.notifications.annualReportSchedule, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(periodReportJob, { kind: 'annual', period: previousYear(slot) }) };
  const recovery = { key: 'evaluate-pending', schedule: EVALUATE_PENDING_SCHEDULE, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(evaluatePendingJob, { slot: slot.toISOString() }) };
  const minuteHours = { key: 'derive-minute-hours', schedule: DERIVE_MINUTE_HOURS_SCHEDULE, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(deriveMinuteHoursJob, { slot: slot.toISOString() }) };
  const pruneMinutes = { key: 'prune-minute-days', schedule: PRUNE_MINUTE_DAYS_SCHEDULE, timeZone: 'Asia/Shanghai', enqueue: (slot: Date) => enqueue(pruneMinuteDaysJob, { slot: slot.toISOString() }) };
  return [...pulls, ...checks, notify, summary, monthly, annual, recovery, minuteHours, pruneMinutes];
}

/** Lets running jobs finish; past the timeout, forces the close so unfinished jobs return to the queue. */
async function closeWorker(worker: Worker, timeoutMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    log.warn('jobs still running at shutdown; releasing them to the queue', { queue: worker.name });
    await worker.close(true);
  }
}
