/**
 * Spike rules: an hourly value that rose too far, or too many times over, from the hour before. The rise and the
 * ratio are taken on the exact decimals (0.4 − 0.1 is a rise of exactly 0.3, not 0.30000000000000004).
 */
import type { RateOfChangeRuleConfig } from '../../config/schema.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { compareDecimal } from '../../lib/decimal.ts';
import { decimalOfNumber, multiplyDecimal, subtractDecimal } from '../../lib/decimal-number.ts';
import { HOUR_MS } from '../../lib/time.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { originOf } from '../data-origins.ts';
import { behindWatermark, changedSitesInScope, changedSpans, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';

/** Whether `value` (canonical decimal) is a spike after `previous`. */
export function isSpike(rule: Pick<RateOfChangeRuleConfig, 'maxRise' | 'maxRatio' | 'minValue'>, previous: string, value: string): boolean {
  if (compareDecimal(value, decimalOfNumber(rule.minValue)) < 0) return false;
  if (rule.maxRise !== undefined && compareDecimal(subtractDecimal(value, previous), decimalOfNumber(rule.maxRise)) > 0) return true;
  // value / previous > maxRatio, as value > maxRatio × previous: no division, so nothing to round.
  return rule.maxRatio !== undefined && compareDecimal(previous, '0') > 0 && compareDecimal(value, multiplyDecimal(decimalOfNumber(rule.maxRatio), previous)) > 0;
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
  const origins = await originOf(context);
  const observations: RuleObservation[] = [];
  for (const [siteId, bySite] of values) {
    const site = codes.get(siteId) as string;
    for (const [at, value] of bySite) {
      const previous = bySite.get(at - HOUR_MS);
      if (previous === undefined || !withinSpans(spans.get(site) ?? [], at)) continue;
      const breaching = isSpike(rule, previous, value);
      observations.push({
        dedupKey: `${rule.id}|${site}|${rule.parameter}`,
        behind: behindWatermark(context, site, rule.parameter, at),
        at,
        siteId,
        parameterId,
        subject: { rule: rule.id, site, parameter: rule.parameter },
        breaching,
        cleared: !breaching,
        evidence: { kind: 'rate_of_change', rule: rule.id, site, origin: origins.series(site, rule.parameter), parameter: rule.parameter, value, previous, window: '1h', maxRise: rule.maxRise ?? null, maxRatio: rule.maxRatio ?? null },
      });
    }
  }
  return observations;
}
