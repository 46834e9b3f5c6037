/**
 * The figures GET /metrics exposes, each from a query cheap enough to run on every scrape: indexed counts over the
 * small working sets (open alerts, waiting notifications, pending quarantine), the source table, and for the
 * readings PostgreSQL's own row statistics instead of a full count of a table that holds millions of rows.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface MetricsSnapshot {
  readingsStored: number;
  openAlerts: { severity: string; state: string; count: number }[];
  notificationsPending: number;
  deliveriesPending: number;
  /** Deliveries failed for good: nobody got them until an operator retries them. */
  deliveriesFailed: number;
  /** Series whose stored data still owe their windows or rules, and when the oldest of those marks was written. */
  evaluationsPending: number;
  evaluationsPendingSince: Date | null;
  quarantinePending: { code: string; count: number }[];
  sources: { id: string; consecutiveFailures: number; lastSuccessAt: Date | null }[];
}

export async function metricsSnapshot(db: Kysely<Database>): Promise<MetricsSnapshot> {
  const [readingsStored, openAlerts, waiting, quarantinePending, sources] = await Promise.all([
    readingsStoredEstimate(db),
    sql<{ severity: string; state: string; count: number }>`select severity, state, count(*)::int as count from alert where state <> 'resolved' group by severity, state`.execute(db),
    sql<{ outbox: number; deliveries: number; failed: number; pending_series: number; pending_since: Date | null }>`
      select (select count(*) from notification_outbox where status in ('pending', 'sending'))::int as outbox,
             (select count(*) from notification_delivery where status = 'pending')::int as deliveries,
             (select count(*) from notification_delivery where status = 'failed')::int as failed,
             (select count(distinct (site_id, parameter_id)) from windows_pending)::int as pending_series,
             (select min(created_at) from windows_pending) as pending_since`.execute(db),
    sql<{ code: string; count: number }>`select code, count(*)::int as count from quarantine where status = 'pending' group by code order by code`.execute(db),
    db.selectFrom('source').select(['id', 'consecutive_failures', 'last_success_at']).orderBy('id').execute(),
  ]);
  return {
    readingsStored,
    openAlerts: openAlerts.rows,
    notificationsPending: waiting.rows[0]?.outbox ?? 0,
    deliveriesPending: waiting.rows[0]?.deliveries ?? 0,
    deliveriesFailed: waiting.rows[0]?.failed ?? 0,
    evaluationsPending: waiting.rows[0]?.pending_series ?? 0,
    evaluationsPendingSince: waiting.rows[0]?.pending_since ?? null,
    quarantinePending: quarantinePending.rows,
    sources: sources.map((s) => ({ id: s.id, consecutiveFailures: s.consecutive_failures, lastSuccessAt: s.last_success_at })),
  };
}

/**
 * Rows of the reading partitions as of their last ANALYZE (exact for a partition analysed since its last change,
 * close otherwise); a partition never analysed (reltuples -1, typically the newest month) is counted exactly.
 */
async function readingsStoredEstimate(db: Kysely<Database>): Promise<number> {
  const partitions = await sql<{ name: string; reltuples: number }>`
    select c.relname as name, c.reltuples::float8 as reltuples
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'reading'::regclass`.execute(db);
  let total = 0;
  for (const p of partitions.rows) {
    if (p.reltuples >= 0) total += Math.round(p.reltuples);
    else total += (await sql<{ n: number }>`select count(*)::int8 as n from ${sql.table(p.name)}`.execute(db)).rows[0]?.n ?? 0;
  }
  return total;
}
