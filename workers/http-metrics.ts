/** GET /metrics: the database's working set (see `metricsSnapshot`) and this server's own request counts. */
import type { Kysely } from 'kysely';
import { metricsSnapshot } from '../db/repositories/metrics.repository.ts';
import type { Database } from '../db/schema.ts';
import { renderMetrics, type Metric } from '../lib/prometheus-text.ts';

const SEVERITIES = ['info', 'warning', 'critical'] as const;
const OPEN_STATES = ['pending', 'firing'] as const;

/** Responses of this HTTP server by status code, since it started. */
export class HttpCounters {
  private readonly byStatus = new Map<number, number>();

  count(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  entries(): [number, number][] {
    return [...this.byStatus].sort(([a], [b]) => a - b);
  }
}

export async function metricsText(db: Kysely<Database>, counters: HttpCounters): Promise<string> {
  const s = await metricsSnapshot(db);
  const openCount = (severity: string, state: string) => s.openAlerts.find((a) => a.severity === severity && a.state === state)?.count ?? 0;
  const metrics: Metric[] = [
    {
      name: 'envmon_readings_stored',
      help: "Readings stored, from PostgreSQL's row statistics of the reading partitions (exact once analysed; partitions never analysed are counted).",
      type: 'gauge',
      samples: [{ value: s.readingsStored }],
    },
    {
      name: 'envmon_alerts_open',
      help: 'Alerts not resolved, by severity and state (pending: breach seen, not yet persistent; firing: notified).',
      type: 'gauge',
      // Every combination is present, zero included, so that an absent series never reads as "no alerts".
      samples: SEVERITIES.flatMap((severity) => OPEN_STATES.map((state) => ({ labels: { severity, state }, value: openCount(severity, state) }))),
    },
    { name: 'envmon_notifications_pending', help: 'Notifications in the outbox not yet sent (pending or being sent).', type: 'gauge', samples: [{ value: s.notificationsPending }] },
    { name: 'envmon_notification_deliveries_pending', help: 'Deliveries to a recipient waiting for their first or next attempt.', type: 'gauge', samples: [{ value: s.deliveriesPending }] },
    { name: 'envmon_notification_deliveries_failed', help: 'Deliveries failed for good after their last attempt: nobody got them until envmon notifications retry.', type: 'gauge', samples: [{ value: s.deliveriesFailed }] },
    { name: 'envmon_evaluations_pending', help: 'Series whose stored data still owe their rolling windows or rules (a crash left them, or the workers are behind).', type: 'gauge', samples: [{ value: s.evaluationsPending }] },
    { name: 'envmon_evaluations_pending_oldest_timestamp_seconds', help: 'When the oldest pending evaluation was recorded (0: none pending).', type: 'gauge', samples: [{ value: s.evaluationsPendingSince ? Math.floor(s.evaluationsPendingSince.getTime() / 1000) : 0 }] },
    {
      name: 'envmon_quarantine_pending',
      help: 'Rejected records waiting for an operator (replay or discard), by rejection code.',
      type: 'gauge',
      samples: s.quarantinePending.map((q) => ({ labels: { code: q.code }, value: q.count })),
    },
    {
      name: 'envmon_source_consecutive_failures',
      help: 'Failed runs of each source since its last success.',
      type: 'gauge',
      samples: s.sources.map((src) => ({ labels: { source: src.id }, value: src.consecutiveFailures })),
    },
    {
      name: 'envmon_source_last_success_timestamp_seconds',
      help: 'When each source last ran successfully, in seconds since the epoch; 0 if it never has.',
      type: 'gauge',
      samples: s.sources.map((src) => ({ labels: { source: src.id }, value: src.lastSuccessAt ? Math.floor(src.lastSuccessAt.getTime() / 1000) : 0 })),
    },
    {
      name: 'envmon_http_responses_total',
      help: "Responses of this process's HTTP server since it started, by status code.",
      type: 'counter',
      samples: counters.entries().map(([code, n]) => ({ labels: { code: String(code) }, value: n })),
    },
  ];
  return renderMetrics(metrics);
}
