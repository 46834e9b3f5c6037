/**
 * What envmon tells Prometheus (GET /metrics): one prom-client registry per process — never prom-client's global
 * default one, since one process may run several services (tests) — holding
 * - counters and histograms incremented where things happen (ingest, pulls, jobs, evaluation, deliveries, the
 *   HJ 212 listeners, HTTP responses), handed down through the processes' deps;
 * - gauges read on every scrape: the depth of each BullMQ queue by state, and the database's working set
 *   (`metricsSnapshot`: open alerts, waiting notifications, pending evaluations and quarantine, source health).
 * Names are stable and documented in the README's "Metrics" table: `envmon_` prefix, base units (seconds), `_total`
 * for counters. Every metric is listed there with its labels.
 */
import type { JobType, Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { metricsSnapshot, type MetricsSnapshot } from '../db/repositories/metrics.repository.ts';
import type { Database } from '../db/schema.ts';

/** Every severity and open state of an alert: each combination is exposed, zero included. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const OPEN_ALERT_STATES = ['pending', 'firing'] as const;

/**
 * The queue states counted on every scrape ("completed" is history, not depth, and is left out). A paused queue's
 * waiting jobs count as `paused` with the PostgreSQL backend and as `waiting` with Redis: the backlog is the sum.
 */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'failed'] as const;

/** How long a scrape waits for one queue's counts before it reports that queue as not counted. */
const QUEUE_COUNT_TIMEOUT_MS = 5_000;

/** The `source` label of readings with no source: operator imports (`envmon import`). */
export const NO_SOURCE = 'import';

/** Why an HJ 212 connection was refused before anything was read from it. */
export type Hj212RefusalReason = 'address_limit' | 'listener_full';
/** Why the listener itself closed a connection (a peer that hangs up is not counted here). */
export type Hj212CloseReason = 'idle' | 'frame_timeout' | 'garbage' | 'rejected_frames' | 'rate_limit' | 'locked_out';
/**
 * What became of a complete frame: `accepted` (checked: framing, CRC, station, address, password), `rejected`
 * (quarantined with its reason), `dropped` (over the connection's packet rate), `locked_out` (its address is locked
 * out of the station).
 */
export type Hj212FrameOutcome = 'accepted' | 'rejected' | 'dropped' | 'locked_out';

/** What one HJ 212 listener reports; `Metrics.hj212(sourceId)` binds it to its source. */
export interface Hj212ListenerMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  connectionRefused(reason: Hj212RefusalReason): void;
  closedByListener(reason: Hj212CloseReason): void;
  frame(outcome: Hj212FrameOutcome): void;
}

/** How one batch of readings was stored (`storeBatch`), by its source (null: an operator import). */
export interface StoredBatchCounts {
  stored: number;
  revised: number;
  unchanged: number;
  /** Minute values new or changed. */
  minutes: number;
  rejections: readonly { code: string }[];
}

export interface Metrics {
  /** This process's registry; `metricsResponse` renders it. */
  readonly registry: Registry;
  /** Hourly and daily readings written, by source and outcome (`stored` new, `revised` changed, `unchanged` repeats). */
  readonly readingsIngested: Counter<'source' | 'outcome'>;
  /** Minute values stored new or changed, by source. */
  readonly minuteValuesStored: Counter<'source'>;
  /** Records quarantined, by source and rejection code. */
  readonly readingsRejected: Counter<'source' | 'code'>;
  /** Time a pull spent fetching its source, successful or not. */
  readonly pullDuration: Histogram<'source'>;
  readonly pullFailures: Counter<'source'>;
  /** Time a job's processor ran, by queue and outcome (`completed` or `failed`; a failed attempt may be retried). */
  readonly jobDuration: Histogram<'queue' | 'outcome'>;
  /** Time one unit of evaluation took (windows, rules and alert state for a group of sites, in one transaction). */
  readonly evaluationDuration: Histogram<string>;
  /** Deliveries a mail server or webhook accepted, by channel. */
  readonly notificationDeliveries: Counter<'channel'>;
  /** Deliveries that failed an attempt, by channel and outcome (`retrying`, or `failed` for good). */
  readonly notificationDeliveryFailures: Counter<'channel' | 'outcome'>;
  /** Counts one HTTP response by its status code. */
  countHttpResponse(statusCode: number): void;
  /** Counts one stored batch (readings by outcome, minute values, rejections by code). */
  countStoredBatch(sourceId: string | null, counts: StoredBatchCounts): void;
  /** The HJ 212 figures of one listener. */
  hj212(sourceId: string): Hj212ListenerMetrics;
  /** Queues whose depth is read on every scrape, by name; a later call replaces the earlier ones. */
  watchQueues(queues: ReadonlyMap<string, Queue>): void;
  /** Counts the watched queues' jobs by state now (`metricsResponse` does it on every scrape). */
  countQueues(): Promise<void>;
  /** Sets the database gauges from a snapshot read for this scrape (`metricsResponse` does it). */
  setDatabaseSnapshot(snapshot: MetricsSnapshot): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'envmon_' });

  const readingsIngested = new Counter({
    name: 'envmon_readings_ingested_total',
    help: 'Hourly and daily readings written by this process, by source ("import": operator imports) and outcome (stored: new; revised: a changed value, the old one kept as a revision; unchanged: a repeat).',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const minuteValuesStored = new Counter({ name: 'envmon_minute_values_stored_total', help: 'Minute values stored new or changed by this process, by source.', labelNames: ['source'] as const, registers });
  const readingsRejected = new Counter({ name: 'envmon_readings_rejected_total', help: 'Records quarantined by this process, by source and rejection code.', labelNames: ['source', 'code'] as const, registers });
  const pullDuration = new Histogram({
    name: 'envmon_pull_duration_seconds',
    help: 'Time a pull spent fetching its source (successful or failed), by source.',
    labelNames: ['source'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const pullFailures = new Counter({ name: 'envmon_pull_failures_total', help: 'Pulls whose fetch failed (each attempt; a failed attempt is retried), by source.', labelNames: ['source'] as const, registers });
  const jobDuration = new Histogram({
    name: 'envmon_job_duration_seconds',
    help: 'Time a job ran in this process, by queue and outcome (completed, or failed: retried unless its attempts are spent).',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const evaluationDuration = new Histogram({
    name: 'envmon_evaluation_duration_seconds',
    help: 'Time one evaluation took: rolling windows, rules and alert state of a group of sites, in one transaction.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const notificationDeliveries = new Counter({ name: 'envmon_notification_deliveries_total', help: 'Deliveries a mail server or webhook accepted, by channel.', labelNames: ['channel'] as const, registers });
  const notificationDeliveryFailures = new Counter({
    name: 'envmon_notification_delivery_failures_total',
    help: 'Deliveries that failed an attempt, by channel and outcome (retrying; failed: for good, nobody got it).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const httpResponses = new Counter({ name: 'envmon_http_responses_total', help: "Responses of this process's HTTP server, by status code.", labelNames: ['code'] as const, registers });
  const hj212Open = new Gauge({ name: 'envmon_hj212_connections_open', help: 'HJ 212 connections open now, by source.', labelNames: ['source'] as const, registers });
  const hj212Accepted = new Counter({ name: 'envmon_hj212_connections_accepted_total', help: 'HJ 212 connections accepted, by source.', labelNames: ['source'] as const, registers });
  const hj212Refused = new Counter({
    name: 'envmon_hj212_connections_refused_total',
    help: 'HJ 212 connections refused unread, by source and reason (address_limit: the address has its most connections; listener_full: the listener has its most).',
    labelNames: ['source', 'reason'] as const,
    registers,
  });
  const hj212Closed = new Counter({
    name: 'envmon_hj212_connections_closed_total',
    help: 'HJ 212 connections the listener closed, by source and reason (idle, frame_timeout, garbage, rejected_frames, rate_limit, locked_out).',
    labelNames: ['source', 'reason'] as const,
    registers,
  });
  const hj212Frames = new Counter({
    name: 'envmon_hj212_frames_total',
    help: 'Complete HJ 212 frames, by source and outcome (accepted, rejected, dropped over the packet rate, locked_out).',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });

  const database = databaseGauges(registers);
  let watched: ReadonlyMap<string, Queue> = new Map();
  const queueUp = new Gauge({
    name: 'envmon_queue_up',
    help: 'Whether the last scrape could count the queue (1) or its backend did not answer in time (0: envmon_queue_jobs of that queue is absent, not zero).',
    labelNames: ['queue'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: 'envmon_queue_jobs',
    help: 'Jobs in each queue by state, counted on every scrape (waiting, active, delayed, prioritized, waiting-children, paused, failed: kept 30 days).',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const countQueues = async () => {
    const counted = await Promise.all([...watched].map(async ([name, queue]) => [name, await countJobs(queue)] as const));
    // Set in one synchronous step, so a concurrent scrape never sees half of one scrape's figures.
    queueJobs.reset();
    queueUp.reset();
    for (const [name, counts] of counted) {
      queueUp.set({ queue: name }, counts ? 1 : 0);
      if (counts) for (const state of QUEUE_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
    }
  };

  return {
    registry,
    readingsIngested,
    minuteValuesStored,
    readingsRejected,
    pullDuration,
    pullFailures,
    jobDuration,
    evaluationDuration,
    notificationDeliveries,
    notificationDeliveryFailures,
    countHttpResponse: (statusCode) => httpResponses.inc({ code: String(statusCode) }),
    countStoredBatch: (sourceId, counts) => {
      const source = sourceId ?? NO_SOURCE;
      for (const outcome of ['stored', 'revised', 'unchanged'] as const) if (counts[outcome] > 0) readingsIngested.inc({ source, outcome }, counts[outcome]);
      if (counts.minutes > 0) minuteValuesStored.inc({ source }, counts.minutes);
      const byCode = new Map<string, number>();
      for (const r of counts.rejections) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
      for (const [code, n] of byCode) readingsRejected.inc({ source, code }, n);
    },
    hj212: (source) => {
      // Present from the start: a listener that refused nothing shows 0, not an absent series.
      hj212Open.set({ source }, 0);
      hj212Accepted.inc({ source }, 0);
      return {
        connectionOpened: () => {
          hj212Open.inc({ source });
          hj212Accepted.inc({ source });
        },
        connectionClosed: () => hj212Open.dec({ source }),
        connectionRefused: (reason) => hj212Refused.inc({ source, reason }),
        closedByListener: (reason) => hj212Closed.inc({ source, reason }),
        frame: (outcome) => hj212Frames.inc({ source, outcome }),
      };
    },
    watchQueues: (queues) => {
      watched = queues;
    },
    countQueues,
    setDatabaseSnapshot: (snapshot) => setDatabaseGauges(database, snapshot),
  };
}

/** One queue's counts by state, or null when its backend (Redis or PostgreSQL) did not answer in time. */
async function countJobs(queue: Queue): Promise<Record<string, number> | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), QUEUE_COUNT_TIMEOUT_MS)));
  try {
    return await Promise.race([queue.getJobCounts(...(QUEUE_STATES as readonly string[] as JobType[])), timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The gauges read from the database on each scrape. */
function databaseGauges(registers: Registry[]) {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers });
  return {
    readingsStored: gauge('envmon_readings_stored', "Readings stored, from PostgreSQL's row statistics of the reading partitions (exact once analysed; partitions never analysed are counted)."),
    alertsOpen: gauge('envmon_alerts_open', 'Alerts not resolved, by severity and state (pending: breach seen, not yet persistent; firing: notified). Every combination is present, zero included.', ['severity', 'state']),
    notificationsPending: gauge('envmon_notifications_pending', 'Notifications in the outbox not yet sent (pending or being sent).'),
    deliveriesPending: gauge('envmon_notification_deliveries_pending', 'Deliveries to a recipient waiting for their first or next attempt.'),
    deliveriesFailed: gauge('envmon_notification_deliveries_failed', 'Deliveries failed for good after their last attempt: nobody got them until envmon notifications retry.'),
    evaluationsPending: gauge('envmon_evaluations_pending', 'Series whose stored data still owe their rolling windows or rules (a crash left them, or the workers are behind).'),
    evaluationsPendingOldest: gauge('envmon_evaluations_pending_oldest_timestamp_seconds', 'When the oldest pending evaluation was recorded (0: none pending).'),
    quarantinePending: gauge('envmon_quarantine_pending', 'Rejected records waiting for an operator (replay or discard), by rejection code.', ['code']),
    sourceFailures: gauge('envmon_source_consecutive_failures', 'Failed runs of each source since its last success.', ['source']),
    sourceLastSuccess: gauge('envmon_source_last_success_timestamp_seconds', 'When each source last ran successfully, in seconds since the epoch; 0 if it never has.', ['source']),
  };
}

/**
 * Sets the database gauges from one snapshot, in one synchronous step (labels that went away — a discarded
 * quarantine code, a removed source — go away too). Every severity and open state of the alerts is set, zero
 * included, so that an absent series never reads as "no alerts".
 */
function setDatabaseGauges(g: ReturnType<typeof databaseGauges>, s: MetricsSnapshot): void {
  for (const gauge of Object.values(g)) gauge.reset();
  g.readingsStored.set(s.readingsStored);
  for (const severity of ALERT_SEVERITIES) {
    for (const state of OPEN_ALERT_STATES) g.alertsOpen.set({ severity, state }, s.openAlerts.find((a) => a.severity === severity && a.state === state)?.count ?? 0);
  }
  g.notificationsPending.set(s.notificationsPending);
  g.deliveriesPending.set(s.deliveriesPending);
  g.deliveriesFailed.set(s.deliveriesFailed);
  g.evaluationsPending.set(s.evaluationsPending);
  g.evaluationsPendingOldest.set(s.evaluationsPendingSince ? Math.floor(s.evaluationsPendingSince.getTime() / 1000) : 0);
  for (const q of s.quarantinePending) g.quarantinePending.set({ code: q.code }, q.count);
  for (const src of s.sources) {
    g.sourceFailures.set({ source: src.id }, src.consecutiveFailures);
    g.sourceLastSuccess.set({ source: src.id }, src.lastSuccessAt ? Math.floor(src.lastSuccessAt.getTime() / 1000) : 0);
  }
}

/**
 * The body of GET /metrics: the database's working set read now, the queues counted now, and this process's
 * counters. Rejects when the database does not answer: the route answers 500 and Prometheus marks the target down,
 * rather than a page without the alert gauges that would read as "all clear".
 */
export async function metricsResponse(metrics: Metrics, db: Kysely<Database>): Promise<{ contentType: string; body: string }> {
  const [snapshot] = await Promise.all([metricsSnapshot(db), metrics.countQueues()]);
  metrics.setDatabaseSnapshot(snapshot);
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
