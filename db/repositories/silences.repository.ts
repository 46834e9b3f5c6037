import { sql, type Kysely } from 'kysely';
import type { MaintenanceConfig } from '../../config/schema.ts';
import { maintenanceSilences, type ActiveSilence, type SilenceMatcher } from '../../evaluate/suppression.ts';
import type { Database } from '../schema.ts';

export async function createSilence(db: Kysely<Database>, silence: { matcher: SilenceMatcher; startsAt: Date; endsAt: Date; reason: string; createdBy: string | null }): Promise<number> {
  const row = await db
    .insertInto('silence')
    .values({ matcher: JSON.stringify(silence.matcher), starts_at: silence.startsAt, ends_at: silence.endsAt, reason: silence.reason, created_by: silence.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Silences that have not ended by `now` (current and scheduled). */
export async function activeSilences(db: Kysely<Database>, now: Date): Promise<ActiveSilence[]> {
  const rows = await db.selectFrom('silence').selectAll().where('ends_at', '>', now).orderBy('starts_at').execute();
  return rows.map((r) => ({ id: r.id, matcher: r.matcher as SilenceMatcher, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason }));
}

/** What can hold back a notification now: the operators' silences and the configured maintenance windows. */
export async function silencesInForce(db: Kysely<Database>, maintenance: readonly MaintenanceConfig[], now: Date): Promise<ActiveSilence[]> {
  return [...(await activeSilences(db, now)), ...maintenanceSilences(maintenance)];
}

/** Ends a silence now; false if there is no such silence still running. */
export async function endSilence(db: Kysely<Database>, id: number, now: Date): Promise<boolean> {
  const result = await db.updateTable('silence').set({ ends_at: sql<Date>`greatest(starts_at + interval '1 millisecond', ${now}::timestamptz)` }).where('id', '=', id).where('ends_at', '>', now).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listSilences(db: Kysely<Database>, now: Date, all: boolean): Promise<(ActiveSilence & { createdBy: string | null })[]> {
  let query = db.selectFrom('silence').selectAll().orderBy('starts_at', 'desc').limit(500);
  if (!all) query = query.where('ends_at', '>', now);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, matcher: r.matcher as SilenceMatcher, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason, createdBy: r.created_by }));
}
