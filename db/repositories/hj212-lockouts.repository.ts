/** HJ 212 password lockouts as other processes see them: written when a lockout begins, read at start-up and by the CLI. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface Lockout {
  mn: string;
  address: string;
  /** The how-manieth lockout in a row: its length is initialMs × 2^(level − 1), at most maxMs. */
  level: number;
  /** Wrong passwords that led to it. */
  failures: number;
  lockedAt: Date;
  lockedUntil: Date;
}

export async function recordLockout(db: Kysely<Database>, sourceId: string, lockout: Lockout): Promise<void> {
  const row = { source_id: sourceId, mn: lockout.mn, address: lockout.address, level: lockout.level, failures: lockout.failures, locked_at: lockout.lockedAt, locked_until: lockout.lockedUntil };
  await db
    .insertInto('hj212_lockout')
    .values(row)
    .onConflict((oc) => oc.columns(['source_id', 'mn', 'address']).doUpdateSet({ level: row.level, failures: row.failures, locked_at: row.locked_at, locked_until: row.locked_until }))
    .execute();
}

/** Lockouts of a listener that end after `since`, newest first. */
export async function lockoutsSince(db: Kysely<Database>, sourceId: string, since: Date): Promise<Lockout[]> {
  const rows = await db.selectFrom('hj212_lockout').selectAll().where('source_id', '=', sourceId).where('locked_until', '>', since).orderBy('locked_until', 'desc').execute();
  return rows.map((r) => ({ mn: r.mn, address: r.address, level: r.level, failures: r.failures, lockedAt: r.locked_at, lockedUntil: r.locked_until }));
}

/** Forgets lockouts that ended before `before`. */
export async function deleteLockoutsBefore(db: Kysely<Database>, sourceId: string, before: Date): Promise<void> {
  await db.deleteFrom('hj212_lockout').where('source_id', '=', sourceId).where('locked_until', '<=', before).execute();
}
