/**
 * What an operator does to an alert: acknowledge it with a note, or silence the notifications of its kind for a
 * while. `envmon alerts ack` and the console share these; the console records each in the audit trail in the same
 * transaction.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SilenceMatcher } from './silences.repository.ts';
import type { Database } from '../schema.ts';
import { recordAudit, type AuditRecord } from './audit.repository.ts';
import { createSilence } from './silences.repository.ts';

/**
 * Marks an open alert acknowledged by `by` with `note` and adds the acknowledgement to its history, in the caller's
 * transaction; undefined when there is no such open alert (unknown, or already resolved).
 */
export async function acknowledgeOpenAlert(trx: Kysely<Database>, id: number, by: string, note: string | null): Promise<{ id: number; state: string } | undefined> {
  const result = await trx
    .updateTable('alert')
    .set({ acknowledged_at: sql<Date>`now()`, acknowledged_by: by, ack_note: note, updated_at: new Date() })
    .where('id', '=', id)
    .where('state', '<>', 'resolved')
    .returning(['id', 'state'])
    .executeTakeFirst();
  if (result) await trx.insertInto('alert_event').values({ alert_id: result.id, from_state: result.state, to_state: result.state, note: `acknowledged by ${by}${note ? `: ${note}` : ''}`, evidence: null }).execute();
  return result;
}

/** Who acts and from where, as the audit trail keeps it. */
export type Actor = Pick<AuditRecord, 'user' | 'remote'> & { readonly user: NonNullable<AuditRecord['user']> };

export type AlertActionOutcome = 'done' | 'resolved' | 'missing';

/** Acknowledges an open alert as a console user and records it in the audit trail, together or not at all. */
export async function acknowledgeAlertAudited(db: Kysely<Database>, id: number, note: string, actor: Actor): Promise<AlertActionOutcome> {
  return db.transaction().execute(async (trx) => {
    const done = await acknowledgeOpenAlert(trx, id, actor.user.name, note === '' ? null : note);
    if (!done) return (await alertExists(trx, id)) ? 'resolved' : 'missing';
    await recordAudit(trx, { ...actor, action: 'alert.acknowledge', target: `alert:${id}`, detail: { note } });
    return 'done';
  });
}

/**
 * What a silence made from an alert matches: alerts of the same rule at the same site (and parameter, and source
 * for a no-data alert) — this alert and its repeats, not the site's other alerts.
 */
export async function silenceMatcherOf(db: Kysely<Database>, id: number): Promise<{ state: string; matcher: SilenceMatcher } | undefined> {
  const row = await db
    .selectFrom('alert')
    .leftJoin('site', 'site.id', 'alert.site_id')
    .leftJoin('parameter', 'parameter.id', 'alert.parameter_id')
    .select(['alert.state', 'alert.rule_id', 'alert.source_id', 'site.code as site', 'parameter.code as parameter'])
    .where('alert.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return { state: row.state, matcher: { rule: row.rule_id, ...(row.site ? { site: row.site } : {}), ...(row.parameter ? { parameter: row.parameter } : {}), ...(row.source_id ? { source: row.source_id } : {}) } };
}

/**
 * Silences the notifications of alerts like this one from `startsAt` to `endsAt` (the alert itself still fires and
 * resolves), recorded in the audit trail in the same transaction. Returns the silence id, or 'missing'.
 */
export async function silenceAlertAudited(db: Kysely<Database>, id: number, period: { startsAt: Date; endsAt: Date }, reason: string, actor: Actor): Promise<number | 'missing'> {
  return db.transaction().execute(async (trx) => {
    const alert = await silenceMatcherOf(trx, id);
    if (!alert) return 'missing';
    const { matcher } = alert;
    const silenceId = await createSilence(trx, { matcher, startsAt: period.startsAt, endsAt: period.endsAt, reason, createdBy: actor.user.name });
    await trx.insertInto('alert_event').values({ alert_id: id, from_state: alert.state, to_state: alert.state, note: `silenced by ${actor.user.name} until ${period.endsAt.toISOString()}: ${reason}`, evidence: JSON.stringify({ silenceId, matcher }) }).execute();
    await recordAudit(trx, { ...actor, action: 'alert.silence', target: `alert:${id}`, detail: { silenceId, matcher, reason, startsAt: period.startsAt.toISOString(), endsAt: period.endsAt.toISOString() } });
    return silenceId;
  });
}

async function alertExists(trx: Transaction<Database>, id: number): Promise<boolean> {
  return (await trx.selectFrom('alert').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
