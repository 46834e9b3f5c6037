/** Spike rules: an hourly value that rose too far, or too many times over, from the hour before. */
import type { RateOfChangeRuleConfig } from '../../config/schema.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { HOUR_MS } from '../../lib/time.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { behindWatermark, changedSitesInScope, changedSpans, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';

export function isSpike(rule: Pick<RateOfChangeRuleConfig, 'maxRise' | 'maxRatio' | 'minValue'>, previous: number, value: number): boolean {
  if (value < rule.minValue) return false;
  if (rule.maxRise !== undefined && value - previous > rule.maxRise) return true;
  return rule.maxRatio !== undefined && previous > 0 && value / previous > rule.maxRatio;
}

export async function rateOfChangeObservations(context: EvaluationContext, rule: RateOfChangeRuleConfig): Promise<RuleObservation[]> {
  const parameterId = context.parameterIds.get(rule.parameter);
  if (parameterId === undefined) return [];
  const spans = new Map(changedSitesInScope(context, rule.scope).map((site) => [site, changedSpans(context, site, rule.parameter)] as const).filter(([, list]) => list.length > 0));
  const all = coveringSpan([...spans.values()].flat());
  if (!all) return [];
  const codes = new Map([...spans.keys()].map((site) => [context.siteIds.get(site) as number, site]));
  // One read for every site: from the hour before the earliest change (its predecessor) to the latest.
  const rows = await hourlyReadings(context.db, [...codes.keys()], [parameterId], new Date(all.from - HOUR_MS), new Date(all.to));
  const values = new Map<number, Map<number, string>>();
  for (const r of rows) {
    if (r.flag !== 'N') continue;
    const bySite = values.get(r.siteId) ?? new Map<number, string>();
    values.set(r.siteId, bySite);
    bySite.set(r.observedAt.getTime(), r.value);
  }
  const observations: RuleObservation[] = [];
  for (const [siteId, bySite] of values) {
    const site = codes.get(siteId) as string;
    for (const [at, value] of bySite) {
      const previous = bySite.get(at - HOUR_MS);
      if (previous === undefined || !withinSpans(spans.get(site) ?? [], at)) continue;
      const breaching = isSpike(rule, Number(previous), Number(value));
      observations.push({
        dedupKey: `${rule.id}|${site}|${rule.parameter}`,
        behind: behindWatermark(context, site, rule.parameter, at),
        at,
        siteId,
        parameterId,
        subject: { rule: rule.id, site, parameter: rule.parameter },
        breaching,
        cleared: !breaching,
        evidence: { kind: 'rate_of_change', rule: rule.id, site, parameter: rule.parameter, value, previous, window: '1h', maxRise: rule.maxRise ?? null, maxRatio: rule.maxRatio ?? null },
      });
    }
  }
  return observations;
}
