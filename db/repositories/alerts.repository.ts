import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface AlertRow {
  id: number;
  state: 'pending' | 'firing' | 'resolved';
  last_evaluated_at: Date;
  evidence: unknown;
}

/** Serialises evaluations of one dedup key across workers, for the caller's transaction. */
export async function lockAlertKey(trx: Kysely<Database>, dedupKey: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${dedupKey}))`.execute(trx);
}

export async function openAlert(trx: Kysely<Database>, dedupKey: string): Promise<AlertRow | undefined> {
  return trx.selectFrom('alert').select(['id', 'state', 'last_evaluated_at', 'evidence']).where('dedup_key', '=', dedupKey).where('state', '<>', 'resolved').executeTakeFirst();
}

/** The latest time evaluated for a key, open or resolved: older values are not evaluated again. */
export async function lastEvaluated(trx: Kysely<Database>, dedupKey: string): Promise<Date | null> {
  const row = await trx.selectFrom('alert').select((eb) => eb.fn.max('last_evaluated_at').as('at')).where('dedup_key', '=', dedupKey).executeTakeFirst();
  return (row?.at as Date | null | undefined) ?? null;
}

export async function insertAlert(
  trx: Kysely<Database>,
  alert: { dedupKey: string; ruleId: string; siteId: number | null; parameterId: number | null; sourceId?: string; state: 'pending' | 'firing'; severity: 'info' | 'warning' | 'critical'; at: Date; late: boolean; evidence: unknown },
): Promise<number> {
  const row = await trx
    .insertInto('alert')
    .values({
      dedup_key: alert.dedupKey,
      rule_id: alert.ruleId,
      site_id: alert.siteId,
      parameter_id: alert.parameterId,
      source_id: alert.sourceId ?? null,
      state: alert.state,
      severity: alert.severity,
      first_seen_at: alert.at,
      fired_at: alert.state === 'firing' ? alert.at : null,
      last_evaluated_at: alert.at,
      late: alert.late,
      evidence: JSON.stringify(alert.evidence),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateAlert(trx: Kysely<Database>, id: number, change: { state?: 'pending' | 'firing' | 'resolved'; at: Date; evidence: unknown; firedAt?: Date; resolvedAt?: Date }): Promise<void> {
  await trx
    .updateTable('alert')
    .set({
      ...(change.state ? { state: change.state } : {}),
      ...(change.firedAt ? { fired_at: change.firedAt } : {}),
      ...(change.resolvedAt ? { resolved_at: change.resolvedAt } : {}),
      last_evaluated_at: change.at,
      evidence: JSON.stringify(change.evidence),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function recordAlertEvent(trx: Kysely<Database>, alertId: number, from: string | null, to: string, evidence: unknown, note?: string): Promise<void> {
  await trx.insertInto('alert_event').values({ alert_id: alertId, from_state: from, to_state: to, evidence: JSON.stringify(evidence), note: note ?? null }).execute();
}

/** Queues a notification once: the dedup key makes a repeated transition a no-op. */
export async function queueNotification(trx: Kysely<Database>, kind: 'alert' | 'resolution', alertId: number, dedupKey: string, payload: unknown): Promise<void> {
  await trx
    .insertInto('notification_outbox')
    .values({ kind, alert_id: alertId, dedup_key: dedupKey, payload: JSON.stringify(payload) })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .execute();
}
