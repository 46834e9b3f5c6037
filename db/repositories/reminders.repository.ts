/** Reminders of alerts that keep firing: the firing alerts to remind of, and the reminders queued to the outbox. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Every firing alert with when it fired and its evidence. */
export async function firingAlerts(db: Kysely<Database>) {
  return db.selectFrom('alert').select(['id', 'fired_at', 'evidence']).where('state', '=', 'firing').where('fired_at', 'is not', null).execute();
}

export interface NewReminder {
  kind: 'reminder';
  alert_id: number;
  dedup_key: string;
  payload: string;
}

/** Queues reminders in one statement; one already queued (same dedup key) is left alone. Returns how many were new. */
export async function insertReminders(db: Kysely<Database>, reminders: NewReminder[]): Promise<number> {
  const result = await db.insertInto('notification_outbox').values(reminders).onConflict((oc) => oc.column('dedup_key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
