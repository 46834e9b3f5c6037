/**
 * Evaluation of stored data: refresh the rolling windows the new, late or revised hours touch, then run every
 * rule over exactly those hours and windows, for any number of sites at once. The `evaluate` job calls this per
 * site; a bulk caller (import, benchmark) may pass many.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { RuleConfig } from '../config/schema.ts';
import { refreshAggregates, type RefreshedSeries, type SeriesChange } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { silencesInForce } from '../db/repositories/silences.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import type { Database } from '../db/schema.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import { pushTo } from '../lib/collections.ts';
import { applyObservations, type RuleObservation } from './apply-observations.ts';
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
  series: number;
  observations: number;
  transitions: number;
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

/** Refreshes the rolling windows of the changed series, in one transaction. */
export async function refreshChangedSeries(db: Kysely<Database>, changes: ReadonlyMap<string, readonly TouchedSpan[]>, parameterIds: ParameterIds): Promise<{ siteIds: Map<string, number>; refreshed: RefreshedSeries[] }> {
  const siteIds = await siteIdsByCode(db, [...changes.keys()]);
  const series = seriesChanges(changes, siteIds, parameterIds);
  const refreshed = await db.transaction().execute((trx) => refreshAggregates(trx, series));
  return { siteIds, refreshed };
}

export async function evaluateChanges(deps: EvaluationDeps, changes: ReadonlyMap<string, readonly TouchedSpan[]>): Promise<EvaluationResult> {
  const started = performance.now();
  const { siteIds, refreshed } = await refreshChangedSeries(deps.db, changes, deps.parameterIds);
  const refreshMs = performance.now() - started;
  const codes = new Map([...siteIds].map(([code, id]) => [id, code]));
  const now = deps.now();
  const context: EvaluationContext = {
    db: deps.db,
    config: deps.config,
    now,
    siteIds,
    parameterIds: deps.parameterIds,
    changes,
    refreshed: new Map(refreshed.map((r) => [`${codes.get(r.siteId) ?? ''}|${r.parameter}`, r])),
  };
  const silences = await silencesInForce(deps.db, deps.config.maintenance, now);
  let observations = 0;
  let transitions = 0;
  for (const rule of deps.config.rules) {
    const found = await observe(context, rule);
    if (found.length === 0) continue;
    observations += found.length;
    const forEvaluations = 'forEvaluations' in rule ? rule.forEvaluations : 1;
    transitions += await applyObservations(deps.db, { id: rule.id, severity: rule.severity, forEvaluations }, found, { now, silences });
  }
  return { series: refreshed.length, observations, transitions, refreshMs: Math.round(refreshMs), rulesMs: Math.round(performance.now() - started - refreshMs) };
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
