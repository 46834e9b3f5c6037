/**
 * Turns a rule's observations into alert state, for many subjects at once, in the caller's transaction (the one
 * that refreshed the windows the observations were read from, so that windows, watermark and alert state commit
 * or roll back together): each dedup key (rule + subject) is serialised, its open alert and latest evaluated time
 * read once, and every state change planned in memory, then written with its event and — when it fires or
 * resolves — its notification-outbox row in a few bulk statements.
 *
 * Observations after the latest evaluated time go through the live state machine (persistence, hysteresis).
 * Observations at or before it, or behind their series' watermark (the newest hour already evaluated), are late
 * data: judged on their own (evaluate/alert-state.ts `lateBreachRuns`), a late exceedance not already covered by an
 * alert of the key is stored as a late alert, already over, and notified once. Evaluating the same data again finds it covered, so it never fires twice.
 */
import type { Kysely, Transaction } from 'kysely';
import { alertsOverlapping, keyStates, lockAlertKeys, writeAlertBatch, type AlertEventWrite, type AlertRow, type AlertWrite, type OutboxWrite } from '../db/repositories/alerts.repository.ts';
import type { Database } from '../db/schema.ts';
import { HOUR_MS } from '../lib/time.ts';
import { advanceAlert, lateBreachRuns, type AlertMemory, type Observation } from './alert-state.ts';
import type { ActiveSilence } from '../db/repositories/silences.repository.ts';
import { suppressionFor, type AlertSubject } from './suppression.ts';
import { pushTo } from '../lib/collections.ts';

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
  /**
   * Sites whose lock (aggregates.repository.ts `lockSites`) the transaction holds: keys of their subjects need no
   * lock of their own. Keeping one lock per site rather than per key keeps a large evaluation (thousands of sites
   * and rules) within PostgreSQL's lock table.
   */
  lockedSites?: ReadonlySet<number>;
}

/** What a batch of observations did to the alerts. */
export interface AlertCounts {
  /** Alerts opened live (pending or firing at once). */
  opened: number;
  /** Live alerts that fired. */
  fired: number;
  /** Live alerts closed: resolved, or pending ones whose breach did not persist. */
  resolved: number;
  /** Late exceedances, stored already over. */
  late: number;
}

export const noAlertChanges = (): AlertCounts => ({ opened: 0, fired: 0, resolved: 0, late: 0 });

export function addAlertCounts(total: AlertCounts, more: AlertCounts): void {
  total.opened += more.opened;
  total.fired += more.fired;
  total.resolved += more.resolved;
  total.late += more.late;
}

/** Data older than this when evaluated is labelled late. */
const LATE_AFTER_MS = 2 * HOUR_MS;

/** Applies a rule's observations in the caller's transaction; returns the number of state changes and what they were. */
export async function applyObservations(trx: Transaction<Database>, rule: RuleSettings, observations: readonly RuleObservation[], context: ApplyContext): Promise<{ transitions: number; alerts: AlertCounts }> {
  const byKey = new Map<string, RuleObservation[]>();
  for (const o of observations) pushTo(byKey, o.dedupKey, o);
  if (byKey.size === 0) return { transitions: 0, alerts: noAlertChanges() };
  const covered = (o: RuleObservation) => o.siteId !== null && (context.lockedSites?.has(o.siteId) ?? false);
  await lockAlertKeys(trx, [...byKey].filter(([, list]) => !list.every(covered)).map(([key]) => key));
  const states = await keyStates(trx, [...byKey.keys()]);
  const plan = new Plan();
  for (const [key, list] of byKey) {
    const sorted = [...list].sort((a, b) => a.at - b.at);
    const state = states.get(key);
    const lastEvaluated = state?.lastEvaluated?.getTime() ?? null;
    const isLate = (o: RuleObservation) => o.behind === true || (lastEvaluated !== null && o.at <= lastEvaluated);
    planLive(plan, rule, key, sorted.filter((o) => !isLate(o)), state?.open, lastEvaluated, context);
    const late = sorted.filter(isLate);
    if (late.length > 0) await planLate(trx, plan, rule, key, late, context);
  }
  await writeAlertBatch(trx, [...plan.alerts.values()], plan.events, plan.outbox);
  return { transitions: plan.transitions, alerts: plan.counts };
}

/** The changes of one batch, kept in memory and written in a few statements at the end. */
class Plan {
  readonly alerts = new Map<number, AlertWrite>();
  readonly events: AlertEventWrite[] = [];
  readonly outbox: OutboxWrite[] = [];
  readonly counts = noAlertChanges();
  transitions = 0;
  private nextRef = -1;
  create(alert: Omit<AlertWrite, 'ref'>): number {
    const ref = this.nextRef--;
    this.alerts.set(ref, { ...alert, ref });
    return ref;
  }
  /** Changes an alert (one of this batch, or an existing one by id, first seeing it with `base`). */
  change(ref: number, base: () => AlertWrite, change: Partial<AlertWrite>): void {
    this.alerts.set(ref, { ...(this.alerts.get(ref) ?? base()), ...change });
  }
}

const suppression = (context: ApplyContext, o: RuleObservation) => suppressionFor(context.silences, o.subject, new Date(o.at), context.now);

function planLive(plan: Plan, rule: RuleSettings, key: string, live: readonly RuleObservation[], openAlert: AlertRow | undefined, lastEvaluated: number | null, context: ApplyContext): void {
  let open: { ref: number; state: 'pending' | 'firing' } | undefined = openAlert && openAlert.state !== 'resolved' ? { ref: openAlert.id, state: openAlert.state } : undefined;
  let memory: AlertMemory = {
    state: open?.state ?? 'ok',
    breaches: openAlert ? Number((openAlert.evidence as { breaches?: number }).breaches ?? 0) : 0,
    lastEvaluatedAt: lastEvaluated,
  };
  for (const o of live) {
    const step = advanceAlert(memory, o, rule.forEvaluations, o.at);
    memory = step.memory;
    if (step.transition === 'none' && !open) continue;
    const at = new Date(o.at);
    const lateLabel = context.now.getTime() - o.at > LATE_AFTER_MS;
    const evidence = { ...o.evidence, time: at.toISOString(), breaches: memory.breaches, late: lateLabel };
    // An existing alert is first seen here with the fields it keeps; only the changed ones are written.
    const existing = (ref: number) => (): AlertWrite => ({ ref, dedupKey: key, ruleId: rule.id, siteId: o.siteId, parameterId: o.parameterId, severity: rule.severity, state: open?.state ?? 'pending', firstSeenAt: at, firedAt: null, resolvedAt: null, lastEvaluatedAt: at, late: lateLabel, evidence });
    const fresh = (state: 'pending' | 'firing') => plan.create({ dedupKey: key, ruleId: rule.id, siteId: o.siteId, parameterId: o.parameterId, severity: rule.severity, state, firstSeenAt: at, firedAt: state === 'firing' ? at : null, resolvedAt: null, lastEvaluatedAt: at, late: lateLabel, evidence });
    switch (step.transition) {
      case 'pending': {
        const ref = fresh('pending');
        plan.counts.opened++;
        plan.events.push({ ref, from: null, to: 'pending', evidence, note: null });
        open = { ref, state: 'pending' };
        break;
      }
      case 'fired': {
        const from = open?.state ?? null;
        if (!open) plan.counts.opened++;
        plan.counts.fired++;
        const ref = open ? open.ref : fresh('firing');
        if (open) plan.change(ref, existing(ref), { state: 'firing', firedAt: at, lastEvaluatedAt: at, evidence });
        plan.events.push({ ref, from, to: 'firing', evidence, note: null });
        plan.outbox.push({ ref, kind: 'alert', transition: 'firing', payload: evidence, suppressed: suppression(context, o) });
        open = { ref, state: 'firing' };
        break;
      }
      case 'restarted': {
        // A gap in the data broke the pending run: it ends, and a new one starts at this breach.
        if (open) {
          plan.change(open.ref, existing(open.ref), { state: 'resolved', resolvedAt: at, lastEvaluatedAt: at, evidence });
          plan.events.push({ ref: open.ref, from: open.state, to: 'resolved', evidence, note: 'breach did not persist: a gap in the data' });
        }
        const ref = fresh('pending');
        plan.events.push({ ref, from: null, to: 'pending', evidence, note: null });
        open = { ref, state: 'pending' };
        break;
      }
      case 'resolved':
      case 'cancelled': {
        if (!open) break;
        plan.counts.resolved++;
        const ref = open.ref;
        plan.change(ref, existing(ref), { state: 'resolved', resolvedAt: at, lastEvaluatedAt: at, evidence });
        plan.events.push({ ref, from: open.state, to: 'resolved', evidence, note: step.transition === 'cancelled' ? 'breach did not persist' : null });
        if (step.transition === 'resolved') plan.outbox.push({ ref, kind: 'resolution', transition: 'resolved', payload: evidence, suppressed: suppression(context, o) });
        open = undefined;
        break;
      }
      case 'none':
        if (open) plan.change(open.ref, existing(open.ref), { lastEvaluatedAt: at, evidence });
        continue;
    }
    plan.transitions++;
  }
}

async function planLate(trx: Kysely<Database>, plan: Plan, rule: RuleSettings, key: string, late: readonly RuleObservation[], context: ApplyContext): Promise<void> {
  for (const run of lateBreachRuns(late, rule.forEvaluations)) {
    const first = run[0] as RuleObservation;
    const last = run[run.length - 1] as RuleObservation;
    if ((await alertsOverlapping(trx, key, new Date(first.at), new Date(last.at))) > 0) continue;
    const evidence = { ...last.evidence, time: new Date(last.at).toISOString(), breaches: run.length, late: true, lateRun: { from: new Date(first.at).toISOString(), to: new Date(last.at).toISOString(), evaluations: run.length } };
    const ref = plan.create({ dedupKey: key, ruleId: rule.id, siteId: first.siteId, parameterId: first.parameterId, severity: rule.severity, state: 'resolved', firstSeenAt: new Date(first.at), firedAt: new Date(first.at), resolvedAt: new Date(last.at), lastEvaluatedAt: new Date(last.at), late: true, evidence });
    plan.events.push({ ref, from: null, to: 'firing', evidence, note: 'late data' });
    plan.events.push({ ref, from: 'firing', to: 'resolved', evidence, note: 'late data: the exceedance was already over when its data arrived' });
    plan.outbox.push({ ref, kind: 'alert', transition: 'firing', payload: evidence, suppressed: suppression(context, last) });
    plan.counts.late++;
    plan.transitions++;
  }
}
