import { sql, type Kysely } from 'kysely';
import type { Suppression } from './silences.repository.ts';
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
  suppressed?: Suppression,
): Promise<void> {
  await trx
    .insertInto('notification_outbox')
    .values({
      kind,
      alert_id: alertId,
      dedup_key: dedupKey,
      payload: outboxPayload(payload, suppressed),
      ...(suppressed ? { status: 'suppressed' as const, silence_id: suppressed.silenceId } : {}),
    })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .execute();
}

/** An outbox payload as stored: a held-back notification says what held it back. */
function outboxPayload(payload: unknown, suppressed: Suppression | undefined): string {
  return JSON.stringify(suppressed ? { ...(payload as object), suppressedBy: suppressed.reason } : payload);
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

/**
 * For each key: its open alert (at most one: `alert_open_dedup_idx`) and the latest time evaluated (open or
 * resolved), in one statement — the newest time is one step back on `alert_dedup_key_idx` per key.
 */
export async function keyStates(trx: Kysely<Database>, dedupKeys: readonly string[]): Promise<Map<string, KeyState>> {
  const states = new Map<string, KeyState>(dedupKeys.map((k) => [k, { open: undefined, lastEvaluated: null }]));
  if (dedupKeys.length === 0) return states;
  const { rows } = await sql<{ dedup_key: string; at: Date | null; id: number | null; state: AlertRow['state'] | null; last_evaluated_at: Date | null; evidence: unknown }>`
    select k.dedup_key, l.at, o.id, o.state, o.last_evaluated_at, o.evidence
    from unnest(${[...states.keys()]}::text[]) as k(dedup_key)
    cross join lateral (select max(a.last_evaluated_at) as at from alert a where a.dedup_key = k.dedup_key) l
    left join alert o on o.dedup_key = k.dedup_key and o.state <> 'resolved'`.execute(trx);
  for (const r of rows) {
    const state = states.get(r.dedup_key);
    if (!state) continue;
    state.lastEvaluated = r.at;
    if (r.id !== null && r.state !== null && r.last_evaluated_at !== null) state.open = { id: r.id, state: r.state, last_evaluated_at: r.last_evaluated_at, evidence: r.evidence };
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

/** The final state of an alert after one evaluation batch. */
export interface AlertWrite {
  /** An existing alert's id, or a negative placeholder for one created in this batch. */
  ref: number;
  dedupKey: string;
  ruleId: string;
  siteId: number | null;
  parameterId: number | null;
  severity: 'info' | 'warning' | 'critical';
  state: 'pending' | 'firing' | 'resolved';
  firstSeenAt: Date;
  firedAt: Date | null;
  resolvedAt: Date | null;
  lastEvaluatedAt: Date;
  late: boolean;
  evidence: unknown;
}

export interface AlertEventWrite {
  ref: number;
  from: string | null;
  to: string;
  evidence: unknown;
  note: string | null;
}

export interface OutboxWrite {
  ref: number;
  kind: 'alert' | 'resolution';
  /** `firing` or `resolved`: with the alert id, the outbox dedup key. */
  transition: 'firing' | 'resolved';
  payload: unknown;
  suppressed?: Suppression | undefined;
}

/**
 * Writes a batch of alert changes in four statements: existing alerts to their final state first (so an alert
 * resolved in the batch leaves room for a new open one of the same key), then new alerts, their events and their
 * outbox rows.
 */
export async function writeAlertBatch(trx: Kysely<Database>, alerts: readonly AlertWrite[], events: readonly AlertEventWrite[], outbox: readonly OutboxWrite[]): Promise<void> {
  const existing = alerts.filter((a) => a.ref > 0);
  const created = alerts.filter((a) => a.ref < 0);
  const json = (v: unknown) => JSON.stringify(v);
  if (existing.length > 0) {
    await sql`
      update alert a set state = v.state, fired_at = coalesce(v.fired_at, a.fired_at), resolved_at = coalesce(v.resolved_at, a.resolved_at),
                         last_evaluated_at = v.last_evaluated_at, evidence = v.evidence::jsonb, updated_at = now()
      from unnest(${existing.map((a) => a.ref)}::bigint[], ${existing.map((a) => a.state)}::text[], ${existing.map((a) => a.firedAt)}::timestamptz[],
                  ${existing.map((a) => a.resolvedAt)}::timestamptz[], ${existing.map((a) => a.lastEvaluatedAt)}::timestamptz[], ${existing.map((a) => json(a.evidence))}::text[])
        as v(id, state, fired_at, resolved_at, last_evaluated_at, evidence)
      where a.id = v.id`.execute(trx);
  }
  const ids = new Map<number, number>(existing.map((a) => [a.ref, a.ref]));
  if (created.length > 0) {
    const { rows } = await sql<{ id: number; ord: number }>`
      with input as (
        select * from unnest(${created.map((_, i) => i)}::int[], ${created.map((a) => a.dedupKey)}::text[], ${created.map((a) => a.ruleId)}::text[], ${created.map((a) => a.siteId)}::int[],
                             ${created.map((a) => a.parameterId)}::smallint[], ${created.map((a) => a.state)}::text[], ${created.map((a) => a.severity)}::text[],
                             ${created.map((a) => a.firstSeenAt)}::timestamptz[], ${created.map((a) => a.firedAt)}::timestamptz[], ${created.map((a) => a.resolvedAt)}::timestamptz[],
                             ${created.map((a) => a.lastEvaluatedAt)}::timestamptz[], ${created.map((a) => a.late)}::boolean[], ${created.map((a) => json(a.evidence))}::text[])
          as i(ord, dedup_key, rule_id, site_id, parameter_id, state, severity, first_seen_at, fired_at, resolved_at, last_evaluated_at, late, evidence)
      ), inserted as (
        insert into alert (dedup_key, rule_id, site_id, parameter_id, state, severity, first_seen_at, fired_at, resolved_at, last_evaluated_at, late, evidence)
        select dedup_key, rule_id, site_id, parameter_id, state, severity, first_seen_at, fired_at, resolved_at, last_evaluated_at, late, evidence::jsonb from input order by ord
        returning id, dedup_key, first_seen_at
      )
      select inserted.id, input.ord from inserted join input on input.dedup_key = inserted.dedup_key and input.first_seen_at = inserted.first_seen_at`.execute(trx);
    for (const r of rows) ids.set((created[r.ord] as AlertWrite).ref, r.id);
  }
  const idOf = (ref: number) => {
    const id = ids.get(ref);
    if (id === undefined) throw new Error(`alert ${ref} was not written`);
    return id;
  };
  if (events.length > 0) {
    await sql`
      insert into alert_event (alert_id, from_state, to_state, evidence, note)
      select * from unnest(${events.map((e) => idOf(e.ref))}::bigint[], ${events.map((e) => e.from)}::text[], ${events.map((e) => e.to)}::text[], ${events.map((e) => json(e.evidence))}::jsonb[], ${events.map((e) => e.note)}::text[])`.execute(trx);
  }
  if (outbox.length > 0) {
    await sql`
      insert into notification_outbox (kind, alert_id, dedup_key, payload, status, silence_id)
      select * from unnest(${outbox.map((o) => o.kind)}::text[], ${outbox.map((o) => idOf(o.ref))}::bigint[], ${outbox.map((o) => `alert:${idOf(o.ref)}:${o.transition}`)}::text[],
                           ${outbox.map((o) => outboxPayload(o.payload, o.suppressed))}::jsonb[],
                           ${outbox.map((o) => (o.suppressed ? 'suppressed' : 'pending'))}::text[], ${outbox.map((o) => o.suppressed?.silenceId ?? null)}::bigint[])
      on conflict (dedup_key) do nothing`.execute(trx);
  }
}
