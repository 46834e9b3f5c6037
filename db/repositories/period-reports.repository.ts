/** The monthly and annual reports produced: one row per period, claimed by whoever queues it first. */
import type { Kysely } from 'kysely';
import type { Database, PeriodReportTable } from '../schema.ts';

type PeriodKind = PeriodReportTable['kind'];

/** Inserts the period's row unless it has one, in the caller's transaction; says whether this call inserted it. */
export async function claimPeriodReport(trx: Kysely<Database>, kind: PeriodKind, period: string): Promise<boolean> {
  const claimed = await trx.insertInto('period_report').values({ kind, period, outbox_id: null }).onConflict((oc) => oc.columns(['kind', 'period']).doNothing()).returning('period').executeTakeFirst();
  return claimed !== undefined;
}

/** Links the period's row to the outbox row that mails it. */
export async function setPeriodReportOutbox(trx: Kysely<Database>, kind: PeriodKind, period: string, outboxId: number | null): Promise<void> {
  await trx.updateTable('period_report').set({ outbox_id: outboxId }).where('kind', '=', kind).where('period', '=', period).execute();
}

/** The newest 200 reports, latest period first. */
export async function listPeriodReports(db: Kysely<Database>) {
  return db.selectFrom('period_report').select(['kind', 'period', 'created_at']).orderBy('period', 'desc').orderBy('kind').limit(200).execute();
}

/** Whether the report of a period was produced. */
export async function periodReportExists(db: Kysely<Database>, kind: PeriodKind, period: string): Promise<boolean> {
  const produced = await db.selectFrom('period_report').select('period').where('kind', '=', kind).where('period', '=', period).executeTakeFirst();
  return produced !== undefined;
}
