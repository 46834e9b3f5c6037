/**
 * Turns a rule's observations into alert state, for many subjects at once, in one transaction: each dedup key
 * (rule + subject) is locked, its open alert and latest evaluated time read once, and every state change written
 * with its event and — when it fires or resolves — its notification-outbox row.
 *
 * Observations after the latest evaluated time go through the live state machine (persistence, hysteresis).
 * Observations at or before it, or behind the newest data already stored for their series, are late data: judged on their own (evaluate/alert-state.ts `lateBreachRuns`),
 * a late exceedance not already covered by an alert of the key is stored as a late alert, already over, and
 * notified once. Evaluating the same data again finds it covered, so it never fires twice.
 */
import type { Kysely } from 'kysely';
import { alertsOverlapping, insertAlert, keyStates, lockAlertKeys, queueNotification, recordAlertEvent, updateAlert, type AlertRow } from '../db/repositories/alerts.repository.ts';
import type { Database } from '../db/schema.ts';
import { HOUR_MS } from '../lib/time.ts';
import { advanceAlert, lateBreachRuns, type AlertMemory, type Observation } from './alert-state.ts';
import { coveringSilence, type ActiveSilence, type AlertSubject } from './suppression.ts';

export interface RuleObservation extends Observation {
  dedupKey: string;
  /** The data time observed (window end), ms. */
  at: number;
  siteId: number | null;
  parameterId: number | null;
  subject: AlertSubject;
  evidence: Record<string, unknown>;
  /** Newer data of the series was stored before this: judged as late data, never by the live state machine. */
  behind?: boolean;
}

export interface RuleSettings {
  id: string;
  severity: 'info' | 'warning' | 'critical';
  forEvaluations: number;
}

export interface ApplyContext {
  now: Date;
  silences: readonly ActiveSilence[];
}

/** Data older than this when evaluated is labelled late. */
const LATE_AFTER_MS = 2 * HOUR_MS;

export async function applyObservations(db: Kysely<Database>, rule: RuleSettings, observations: readonly RuleObservation[], context: ApplyContext): Promise<number> {
  const byKey = new Map<string, RuleObservation[]>();
  for (const o of observations) byKey.set(o.dedupKey, [...(byKey.get(o.dedupKey) ?? []), o]);
  if (byKey.size === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await lockAlertKeys(trx, [...byKey.keys()]);
    const states = await keyStates(trx, [...byKey.keys()]);
    let transitions = 0;
    for (const [key, list] of byKey) {
      const sorted = [...list].sort((a, b) => a.at - b.at);
      const state = states.get(key);
      const lastEvaluated = state?.lastEvaluated?.getTime() ?? null;
      const isLate = (o: RuleObservation) => o.behind === true || (lastEvaluated !== null && o.at <= lastEvaluated);
      const live = sorted.filter((o) => !isLate(o));
      const late = sorted.filter(isLate);
      transitions += await applyLive(trx, rule, key, live, state?.open, lastEvaluated, context);
      if (late.length > 0) transitions += await applyLate(trx, rule, key, late, context);
    }
    return transitions;
  });
}

function suppression(context: ApplyContext, o: RuleObservation): { silenceId: number | null; reason: string } | undefined {
  const silence = coveringSilence(context.silences, o.subject, new Date(o.at), context.now);
  return silence ? { silenceId: silence.id, reason: silence.reason } : undefined;
}

async function applyLive(trx: Kysely<Database>, rule: RuleSettings, key: string, live: readonly RuleObservation[], openAlert: AlertRow | undefined, lastEvaluated: number | null, context: ApplyContext): Promise<number> {
  let open = openAlert;
  let memory: AlertMemory = {
    state: open?.state === 'firing' ? 'firing' : open?.state === 'pending' ? 'pending' : 'ok',
    breaches: open ? Number((open.evidence as { breaches?: number }).breaches ?? 0) : 0,
    lastEvaluatedAt: lastEvaluated,
  };
  let transitions = 0;
  for (const o of live) {
    const step = advanceAlert(memory, o, rule.forEvaluations, o.at);
    memory = step.memory;
    if (step.transition === 'none' && !open) continue;
    const at = new Date(o.at);
    const lateLabel = context.now.getTime() - o.at > LATE_AFTER_MS;
    const evidence = { ...o.evidence, time: at.toISOString(), breaches: memory.breaches, late: lateLabel };
    const base = { dedupKey: key, ruleId: rule.id, siteId: o.siteId, parameterId: o.parameterId, severity: rule.severity, at, late: lateLabel, evidence };
    switch (step.transition) {
      case 'pending': {
        const id = await insertAlert(trx, { ...base, state: 'pending' });
        await recordAlertEvent(trx, id, null, 'pending', evidence);
        open = { id, state: 'pending', last_evaluated_at: at, evidence };
        break;
      }
      case 'fired': {
        const id = open ? open.id : await insertAlert(trx, { ...base, state: 'firing' });
        if (open) await updateAlert(trx, open.id, { state: 'firing', at, evidence, firedAt: at });
        await recordAlertEvent(trx, id, open?.state ?? null, 'firing', evidence);
        await queueNotification(trx, 'alert', id, `alert:${id}:firing`, evidence, suppression(context, o));
        open = { id, state: 'firing', last_evaluated_at: at, evidence };
        break;
      }
      case 'resolved':
      case 'cancelled': {
        if (!open) break;
        await updateAlert(trx, open.id, { state: 'resolved', at, evidence, resolvedAt: at });
        await recordAlertEvent(trx, open.id, open.state, 'resolved', evidence, step.transition === 'cancelled' ? 'breach did not persist' : undefined);
        if (step.transition === 'resolved') await queueNotification(trx, 'resolution', open.id, `alert:${open.id}:resolved`, evidence, suppression(context, o));
        open = undefined;
        break;
      }
      case 'none':
        if (open) await updateAlert(trx, open.id, { at, evidence });
        continue;
    }
    transitions++;
  }
  return transitions;
}

async function applyLate(trx: Kysely<Database>, rule: RuleSettings, key: string, late: readonly RuleObservation[], context: ApplyContext): Promise<number> {
  let transitions = 0;
  for (const run of lateBreachRuns(late, rule.forEvaluations)) {
    const first = run[0] as RuleObservation;
    const last = run[run.length - 1] as RuleObservation;
    if ((await alertsOverlapping(trx, key, new Date(first.at), new Date(last.at))) > 0) continue;
    const evidence = { ...last.evidence, time: new Date(last.at).toISOString(), breaches: run.length, late: true, lateRun: { from: new Date(first.at).toISOString(), to: new Date(last.at).toISOString(), evaluations: run.length } };
    const id = await insertAlert(trx, {
      dedupKey: key,
      ruleId: rule.id,
      siteId: first.siteId,
      parameterId: first.parameterId,
      state: 'resolved',
      severity: rule.severity,
      at: new Date(first.at),
      resolvedAt: new Date(last.at),
      late: true,
      evidence,
    });
    await recordAlertEvent(trx, id, null, 'firing', evidence, 'late data');
    await recordAlertEvent(trx, id, 'firing', 'resolved', evidence, 'late data: the exceedance was already over when its data arrived');
    await queueNotification(trx, 'alert', id, `alert:${id}:firing`, evidence, suppression(context, last));
    transitions++;
  }
  return transitions;
}
