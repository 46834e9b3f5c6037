/** Reports queued to the notification outbox: one row per report date or period, kept once by its dedup key. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Queues the daily summary of a date unless it is queued already; says whether this call queued it. */
export async function queueDailySummary(db: Kysely<Database>, date: string): Promise<boolean> {
  const result = await db
    .insertInto('notification_outbox')
    .values({ kind: 'daily_summary', alert_id: null, dedup_key: `daily:${date}`, payload: JSON.stringify({ date }) })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Queues the monthly or annual report of a period (`payload` as stored), in the caller's transaction; its row's id, or null if it was queued already. */
export async function queuePeriodReportMail(trx: Kysely<Database>, payload: { kind: string; period: string }): Promise<number | null> {
  const outbox = await trx
    .insertInto('notification_outbox')
    .values({ kind: 'period_report', alert_id: null, dedup_key: `${payload.kind}:${payload.period}`, payload: JSON.stringify(payload) })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return outbox?.id ?? null;
}
