/**
 * Evaluation of stored data, as one unit of work: refresh the rolling windows the new, late or revised hours touch
 * (and the series' watermarks), then run every rule over exactly those hours and windows into alert state, alert
 * events and outbox rows — all in one transaction that holds the sites' locks. A run that dies part-way leaves
 * nothing of itself, so running it again gives what one clean run gives: its hours are never mistaken for late data
 * because an earlier attempt already moved the watermark. The `evaluate` job pays the pending marks of its site this
 * way (evaluate/finish-pending.ts); a bulk caller (import, benchmark) may pass many sites.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { RuleConfig } from '../config/schema.ts';
import { lockSites, refreshAggregates, type RefreshedSeries, type SeriesChange } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { silencesInForce } from '../db/repositories/silences.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import type { Database } from '../db/schema.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import { pushTo } from '../lib/collections.ts';
import { affectedWindows } from '../standards/aggregate-windows.ts';
import { addAlertCounts, applyObservations, noAlertChanges, type AlertCounts, type RuleObservation } from './apply-observations.ts';
import type { EvaluationContext } from './evaluation-context.ts';
import { instrumentStateObservations } from './rules/instrument-state.ts';
import { rateOfChangeObservations } from './rules/rate-of-change.ts';
import { targetAtRiskObservations } from './rules/target-at-risk.ts';
import { thresholdObservations } from './rules/threshold.ts';
import { waterClassObservations } from './rules/water-class.ts';

export interface EvaluationDeps {
  readonly db: Kysely<Database>;
  readonly config: AppConfig;
  readonly parameterIds: ParameterIds;
  now(): Date;
}

export interface EvaluationResult {
  /** Series whose windows were refreshed. */
  series: number;
  observations: number;
  transitions: number;
  alerts: AlertCounts;
  /** Time spent refreshing rolling windows and running rules, ms. */
  refreshMs: number;
  rulesMs: number;
}

/** Stored spans by site code → the series changes the aggregate refresh takes (unknown sites and parameters left out). */
export function seriesChanges(changes: ReadonlyMap<string, readonly TouchedSpan[]>, siteIds: ReadonlyMap<string, number>, parameterIds: ParameterIds): SeriesChange[] {
  const out: SeriesChange[] = [];
  for (const [site, spans] of changes) {
    const siteId = siteIds.get(site);
    if (siteId === undefined) continue;
    const byParameter = new Map<string, TouchedSpan[]>();
    for (const s of spans) pushTo(byParameter, s.parameter, s);
    for (const [parameter, list] of byParameter) {
      const parameterId = parameterIds.get(parameter);
      if (parameterId === undefined) continue;
      const hours = list.map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
      out.push({ siteId, parameterId, parameter, spans: hours, latest: Math.max(...hours.map((h) => h.to)) });
    }
  }
  return out;
}

/** Refreshes the rolling windows of the changed series, in one transaction; runs no rules. */
export async function refreshChangedSeries(db: Kysely<Database>, changes: ReadonlyMap<string, readonly TouchedSpan[]>, parameterIds: ParameterIds): Promise<{ siteIds: Map<string, number>; refreshed: RefreshedSeries[] }> {
  const siteIds = await siteIdsByCode(db, [...changes.keys()]);
  const series = seriesChanges(changes, siteIds, parameterIds);
  const refreshed = await db.transaction().execute((trx) => refreshAggregates(trx, series));
  return { siteIds, refreshed };
}

/** Evaluates changes (windows and every rule) as one unit of work in a transaction of its own. */
export async function evaluateChanges(deps: EvaluationDeps, changes: ReadonlyMap<string, readonly TouchedSpan[]>): Promise<EvaluationResult> {
  return deps.db.transaction().execute(async (trx) => {
    const siteIds = await siteIdsByCode(trx, [...changes.keys()]);
    await lockSites(trx, [...siteIds.values()]);
    return evaluateInTransaction(trx, deps, siteIds, changes, changes);
  });
}

/**
 * One unit of work in the caller's transaction, which holds the locks of the sites in `siteIds` (code → id): the
 * windows of every span in `changes` are refreshed; the rules (when `config` is given) judge the hours of `judged`,
 * the part of `changes` whose data is to be evaluated (bulk history is refreshed, not judged).
 */
export async function evaluateInTransaction(
  trx: Transaction<Database>,
  deps: { readonly config: AppConfig | null; readonly parameterIds: ParameterIds; now(): Date },
  siteIds: ReadonlyMap<string, number>,
  changes: ReadonlyMap<string, readonly TouchedSpan[]>,
  judged: ReadonlyMap<string, readonly TouchedSpan[]>,
): Promise<EvaluationResult> {
  const started = performance.now();
  const refreshed = await refreshAggregates(trx, seriesChanges(changes, siteIds, deps.parameterIds));
  const refreshMs = performance.now() - started;
  const result: EvaluationResult = { series: refreshed.length, observations: 0, transitions: 0, alerts: noAlertChanges(), refreshMs: Math.round(refreshMs), rulesMs: 0 };
  if (!deps.config || judged.size === 0) return result;

  // The windows the rules judge: those of the judged hours (and of a watermark that moved), not of bulk history
  // refreshed alongside them in the same series.
  const codes = new Map([...siteIds].map(([code, id]) => [id, code]));
  const windows = new Map<string, RefreshedSeries>();
  if (judged === changes) {
    // Every change judged: the windows are those just refreshed.
    for (const r of refreshed) windows.set(`${codes.get(r.siteId) ?? ''}|${r.parameter}`, r);
  } else {
    const judgedSpans = new Map(seriesChanges(judged, siteIds, deps.parameterIds).map((c) => [`${c.siteId}|${c.parameterId}`, c.spans]));
    for (const r of refreshed) {
      const spans = judgedSpans.get(`${r.siteId}|${r.parameterId}`);
      if (spans) windows.set(`${codes.get(r.siteId) ?? ''}|${r.parameter}`, { ...r, windows: affectedWindows(spans, r.previousWatermark, r.watermark) });
    }
  }
  const now = deps.now();
  const context: EvaluationContext = { db: trx, config: deps.config, now, siteIds, parameterIds: deps.parameterIds, changes: judged, refreshed: windows };
  const apply = { now, silences: await silencesInForce(trx, deps.config.maintenance, now), lockedSites: new Set(siteIds.values()) };
  for (const rule of deps.config.rules) {
    const found = oncePerKeyAndTime(await observe(context, rule));
    if (found.length === 0) continue;
    result.observations += found.length;
    const forEvaluations = 'forEvaluations' in rule ? rule.forEvaluations : 1;
    const applied = await applyObservations(trx, { id: rule.id, severity: rule.severity, forEvaluations }, found, apply);
    result.transitions += applied.transitions;
    addAlertCounts(result.alerts, applied.alerts);
  }
  result.rulesMs = Math.round(performance.now() - started - refreshMs);
  return result;
}

/**
 * One observation per key and time: a series may carry several disjoint spans (marks of batches far apart), and a
 * rule that walks them span by span would otherwise see an hour twice — and count it twice in a run of late data.
 */
function oncePerKeyAndTime(observations: readonly RuleObservation[]): RuleObservation[] {
  const seen = new Set<string>();
  return observations.filter((o) => {
    const key = `${o.dedupKey}|${o.at}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function observe(context: EvaluationContext, rule: RuleConfig): Promise<RuleObservation[]> {
  switch (rule.kind) {
    case 'threshold':
      return thresholdObservations(context, rule);
    case 'water_class':
      return waterClassObservations(context, rule);
    case 'rate_of_change':
      return rateOfChangeObservations(context, rule);
    case 'instrument_state':
      return instrumentStateObservations(context, rule);
    case 'target_at_risk':
      return targetAtRiskObservations(context, rule);
    case 'no_data':
      // Silence is checked on a schedule (jobs/check-silence.ts), not when data arrive.
      return [];
  }
}
