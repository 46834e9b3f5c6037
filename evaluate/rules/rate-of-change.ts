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
  const observations: RuleObservation[] = [];
  for (const site of changedSitesInScope(context, rule.scope)) {
    const spans = changedSpans(context, site, rule.parameter);
    const all = coveringSpan(spans);
    if (!all) continue;
    const siteId = context.siteIds.get(site) as number;
    // One hour before the span: the first hour's predecessor.
    const rows = await hourlyReadings(context.db, [siteId], [parameterId], new Date(all.from - HOUR_MS), new Date(all.to));
    const values = new Map(rows.filter((r) => r.flag === 'N').map((r) => [r.observedAt.getTime(), r.value]));
    for (const [at, value] of values) {
      const previous = values.get(at - HOUR_MS);
      if (previous === undefined || !withinSpans(spans, at)) continue;
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
