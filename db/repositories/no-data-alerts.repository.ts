/** Alerts of the no-data rules: the open ones a check of a source finds, the firing ones the console shows. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The open (pending or firing) alerts of one no-data rule about one source, with their key, state, evidence and first sighting. */
export async function openNoDataAlerts(db: Kysely<Database>, ruleId: string, sourceId: string) {
  return db.selectFrom('alert').select(['id', 'dedup_key', 'state', 'evidence', 'first_seen_at']).where('rule_id', '=', ruleId).where('source_id', '=', sourceId).where('state', '<>', 'resolved').execute();
}

/**
 * The firing alerts of the no-data rules named: the site each is about (null for a source silent as a whole, with
 * its source) and since when it fires (its first sighting where no firing time is recorded).
 */
export async function firingNoDataAlerts(db: Kysely<Database>, ruleIds: readonly string[]): Promise<{ site_id: number | null; source_id: string | null; since: Date }[]> {
  const { rows } = await sql<{ site_id: number | null; source_id: string | null; since: Date }>`
      select site_id, source_id, coalesce(fired_at, first_seen_at) as since from alert
      where state = 'firing' and rule_id = any(${ruleIds}::text[])`.execute(db);
  return rows;
}
