/**
 * Instrument-state rules: a parameter whose hourly values have carried a non-normal HJ 212 data flag (M
 * maintenance, C calibration, D fault, F stopped, B communication …) for `afterHours` hours running. A normal
 * value clears it.
 */
import type { InstrumentStateRuleConfig } from '../../config/schema.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { HOUR_MS } from '../../lib/time.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { behindWatermark, changedSitesInScope, changedSpans, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';
import { pushTo } from '../../lib/collections.ts';

/** For each hour with a reading: how many hours in a row (ending there) carried one of the flags. */
export function flaggedRuns(readings: readonly { at: number; flag: string }[], flags: readonly string[]): Map<number, number> {
  const runs = new Map<number, number>();
  const byHour = new Map(readings.map((r) => [r.at, r.flag]));
  for (const at of [...byHour.keys()].sort((a, b) => a - b)) {
    const flagged = flags.includes(byHour.get(at) as string);
    runs.set(at, flagged ? (runs.get(at - HOUR_MS) ?? 0) + 1 : 0);
  }
  return runs;
}

export async function instrumentStateObservations(context: EvaluationContext, rule: InstrumentStateRuleConfig): Promise<RuleObservation[]> {
  const series = changedSitesInScope(context, rule.scope).flatMap((site) =>
    (context.changes.get(site) ?? [])
      .filter((c) => (rule.parameters ? rule.parameters.includes(c.parameter) : true) && context.parameterIds.has(c.parameter))
      .map((c) => ({ site, parameter: c.parameter, siteId: context.siteIds.get(site) as number, parameterId: context.parameterIds.get(c.parameter) as number, spans: changedSpans(context, site, c.parameter) })),
  );
  const all = coveringSpan(series.flatMap((s) => s.spans));
  if (!all) return [];
  // One read for every series, reaching back far enough to count a run that began before the change.
  const rows = await hourlyReadings(context.db, series.map((s) => s.siteId), series.map((s) => s.parameterId), new Date(all.from - rule.afterHours * HOUR_MS), new Date(all.to));
  const bySeries = new Map<string, { at: number; flag: string }[]>();
  for (const r of rows) {
    const key = `${r.siteId}|${r.parameterId}`;
    pushTo(bySeries, key, { at: r.observedAt.getTime(), flag: r.flag });
  }
  const observations: RuleObservation[] = [];
  for (const { site, parameter, siteId, parameterId, spans } of series) {
    const readings = bySeries.get(`${siteId}|${parameterId}`) ?? [];
    const flags = new Map(readings.map((r) => [r.at, r.flag]));
    for (const [at, run] of flaggedRuns(readings, rule.flags)) {
      if (!withinSpans(spans, at)) continue;
      const breaching = run >= rule.afterHours;
      observations.push({
        dedupKey: `${rule.id}|${site}|${parameter}`,
        behind: behindWatermark(context, site, parameter, at),
        at,
        siteId,
        parameterId,
        subject: { rule: rule.id, site, parameter },
        breaching,
        cleared: run === 0,
        evidence: { kind: 'instrument_state', rule: rule.id, site, parameter, flag: flags.get(at), flaggedHours: run, since: new Date(at - (run - 1) * HOUR_MS).toISOString(), afterHours: rule.afterHours, standard: 'HJ 212-2017 数据标记' },
      });
    }
  }
  return observations;
}
