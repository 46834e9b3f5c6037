/** An alert's history: the events of its state changes (and of what operators did to it), oldest first. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Every event of an alert, with the evidence recorded at each, as `envmon alerts show` prints them. */
export async function alertHistory(db: Kysely<Database>, alertId: number) {
  return db.selectFrom('alert_event').select(['at', 'from_state', 'to_state', 'note', 'evidence']).where('alert_id', '=', alertId).orderBy('id').execute();
}

/** The first 500 events of an alert without their evidence, as the console's alert page lists them. */
export async function consoleAlertHistory(db: Kysely<Database>, alertId: number) {
  return db.selectFrom('alert_event').select(['id', 'at', 'from_state', 'to_state', 'note']).where('alert_id', '=', alertId).orderBy('id').limit(500).execute();
}
