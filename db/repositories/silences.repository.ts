import { sql, type Kysely } from 'kysely';
import type { MaintenanceConfig } from '../../config/schema.ts';
import type { Database } from '../schema.ts';

/** What an operator's silence (or a maintenance window) matches; an absent field matches anything. */
export interface SilenceMatcher {
  rule?: string;
  site?: string;
  parameter?: string;
  source?: string;
}

export interface ActiveSilence {
  id: number | null;
  matcher: SilenceMatcher;
  startsAt: Date;
  endsAt: Date;
  reason: string;
}

/** The configured maintenance windows as silences (no id: they live in the configuration, not the database). */
export function maintenanceSilences(maintenance: readonly MaintenanceConfig[]): ActiveSilence[] {
  return maintenance.flatMap((m) =>
    m.sites.flatMap((site) =>
      (m.parameters ?? [undefined]).map((parameter) => ({ id: null, matcher: { site, ...(parameter ? { parameter } : {}) }, startsAt: new Date(m.from), endsAt: new Date(m.to), reason: `维护 maintenance: ${m.reason}` })),
    ),
  );
}

/** How an outbox row records the silence that holds it back. */
export interface Suppression {
  silenceId: number | null;
  reason: string;
}


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
