import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface StatusCounts {
  sites: number;
  readings: number;
  quarantinePending: number;
  openAlerts: number;
  pendingNotifications: number;
  /** Series whose stored data still owe their windows or rules (windows_pending), and since when the oldest. */
  pendingEvaluations: { series: number; oldest: Date | null };
  readingsBySource: Record<string, number>;
}

export async function statusCounts(db: Kysely<Database>): Promise<StatusCounts> {
  const row = await sql<{ sites: number; readings: number; quarantine: number; alerts: number; notifications: number; pending_series: number; pending_oldest: Date | null }>`
    select
      (select count(*) from site)::int as sites,
      (select count(*) from reading)::bigint as readings,
      (select count(*) from quarantine where status = 'pending')::int as quarantine,
      (select count(*) from alert where state <> 'resolved')::int as alerts,
      (select count(*) from notification_outbox where status in ('pending', 'sending'))::int as notifications,
      (select count(distinct (site_id, parameter_id)) from windows_pending)::int as pending_series,
      (select min(created_at) from windows_pending) as pending_oldest
  `.execute(db);
  const bySource = await db
    .selectFrom('reading')
    .select(['source_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('source_id')
    .execute();
  const counts = row.rows[0];
  return {
    sites: counts?.sites ?? 0,
    readings: Number(counts?.readings ?? 0),
    quarantinePending: counts?.quarantine ?? 0,
    openAlerts: counts?.alerts ?? 0,
    pendingNotifications: counts?.notifications ?? 0,
    pendingEvaluations: { series: counts?.pending_series ?? 0, oldest: counts?.pending_oldest ?? null },
    readingsBySource: Object.fromEntries(bySource.map((r) => [r.source_id ?? '(none)', Number(r.n)])),
  };
}
