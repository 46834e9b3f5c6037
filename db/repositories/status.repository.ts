import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface StatusCounts {
  sites: number;
  readings: number;
  quarantinePending: number;
  openAlerts: number;
  pendingNotifications: number;
  readingsBySource: Record<string, number>;
}

export async function statusCounts(db: Kysely<Database>): Promise<StatusCounts> {
  const row = await sql<{ sites: number; readings: number; quarantine: number; alerts: number; notifications: number }>`
    select
      (select count(*) from site)::int as sites,
      (select count(*) from reading)::bigint as readings,
      (select count(*) from quarantine where status = 'pending')::int as quarantine,
      (select count(*) from alert where state <> 'resolved')::int as alerts,
      (select count(*) from notification_outbox where status in ('pending', 'sending'))::int as notifications
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
    readingsBySource: Object.fromEntries(bySource.map((r) => [r.source_id ?? '(none)', Number(r.n)])),
  };
}
