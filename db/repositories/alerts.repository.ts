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
  alert: {
    dedupKey: string;
    ruleId: string;
    siteId: number | null;
    parameterId: number | null;
    sourceId?: string;
    state: 'pending' | 'firing' | 'resolved';
    severity: 'info' | 'warning' | 'critical';
    at: Date;
    late: boolean;
    evidence: unknown;
    /** A late exceedance is stored already over: it fired at `at` and resolved here. */
    resolvedAt?: Date;
  },
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
      fired_at: alert.state === 'pending' ? null : alert.at,
      resolved_at: alert.resolvedAt ?? null,
      last_evaluated_at: alert.resolvedAt ?? alert.at,
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

/**
 * Queues a notification once: the dedup key makes a repeated transition a no-op. A notification covered by a
 * silence or maintenance window is kept with status `suppressed` and never sent.
 */
export async function queueNotification(
  trx: Kysely<Database>,
  kind: 'alert' | 'resolution',
  alertId: number,
  dedupKey: string,
  payload: unknown,
  suppressed?: { silenceId: number | null; reason: string },
): Promise<void> {
  await trx
    .insertInto('notification_outbox')
    .values({
      kind,
      alert_id: alertId,
      dedup_key: dedupKey,
      payload: JSON.stringify(suppressed ? { ...(payload as object), suppressedBy: suppressed.reason } : payload),
      ...(suppressed ? { status: 'suppressed' as const, silence_id: suppressed.silenceId } : {}),
    })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .execute();
}

/** Serialises evaluations of many dedup keys at once, in a fixed order so two workers cannot deadlock. */
export async function lockAlertKeys(trx: Kysely<Database>, dedupKeys: readonly string[]): Promise<void> {
  const sorted = [...new Set(dedupKeys)].sort();
  if (sorted.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext(k)) from unnest(${sorted}::text[]) with ordinality as t(k, n) order by n`.execute(trx);
}

export interface KeyState {
  open: AlertRow | undefined;
  lastEvaluated: Date | null;
}

/** For each key: its open alert and the latest time evaluated (open or resolved). */
export async function keyStates(trx: Kysely<Database>, dedupKeys: readonly string[]): Promise<Map<string, KeyState>> {
  const states = new Map<string, KeyState>(dedupKeys.map((k) => [k, { open: undefined, lastEvaluated: null }]));
  if (dedupKeys.length === 0) return states;
  const keys = sql<string>`any(${[...states.keys()]}::text[])`;
  const open = await trx.selectFrom('alert').select(['id', 'dedup_key', 'state', 'last_evaluated_at', 'evidence']).where('dedup_key', '=', keys).where('state', '<>', 'resolved').execute();
  for (const r of open) {
    const state = states.get(r.dedup_key);
    if (state) state.open = { id: r.id, state: r.state, last_evaluated_at: r.last_evaluated_at, evidence: r.evidence };
  }
  const latest = await trx.selectFrom('alert').select(['dedup_key', (eb) => eb.fn.max('last_evaluated_at').as('at')]).where('dedup_key', '=', keys).groupBy('dedup_key').execute();
  for (const r of latest) {
    const state = states.get(r.dedup_key);
    if (state) state.lastEvaluated = r.at;
  }
  return states;
}

/** Alerts of a key whose span [first seen, resolved] overlaps [from, to]: late data there was already alerted. */
export async function alertsOverlapping(trx: Kysely<Database>, dedupKey: string, from: Date, to: Date): Promise<number> {
  const row = await trx
    .selectFrom('alert')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('dedup_key', '=', dedupKey)
    .where('first_seen_at', '<=', to)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
