/**
 * Water-class rules: at each hour with data, the section against its target (standards/water-target.ts — the same
 * judgement the daily summary and `envmon targets` make): its class by GB 3838-2002 single-factor assessment (the
 * worst classified parameter, 劣Ⅴ beyond Ⅴ; DO as a lower bound; lake TP for lakes and reservoirs) against the
 * target class, with the target's seasonal special limits (e.g. 武良 NH3-N ≤ 8 mg/L in winter) replacing the class
 * limit for their parameter in their months. Persistence counts the section's consecutive samples: its sampling
 * interval is the median interval between its samples (evaluate/series-spacing.ts).
 */
import type { WaterClassRuleConfig } from '../../config/schema.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { isClassified, waterClassZh, type WaterClass } from '../../standards/water-class.ts';
import { assessAgainstTarget, waterTargetFor, type WaterTarget } from '../../standards/water-target.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { originOf } from '../data-origins.ts';
import { behindWatermark, changedSitesInScope, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';
import { expectedSpacing, SPACING_LOOKBACK_MS } from '../series-spacing.ts';

export async function waterClassObservations(context: EvaluationContext, rule: WaterClassRuleConfig): Promise<RuleObservation[]> {
  const observations: RuleObservation[] = [];
  const codes = new Map([...context.parameterIds].map(([code, id]) => [id, code]));
  const ids = [...context.parameterIds].filter(([code]) => isClassified(code)).map(([, id]) => id);
  const origins = await originOf(context);
  // The sampling interval matters only to persistence: read the week before the changed hours for it only then.
  const lookback = rule.forEvaluations > 1 ? SPACING_LOOKBACK_MS : 0;
  for (const site of changedSitesInScope(context, rule.scope)) {
    const siteConfig = context.config.sites.find((s) => s.code === site);
    const spans = (context.changes.get(site) ?? []).filter((s) => isClassified(s.parameter)).map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
    const all = coveringSpan(spans);
    if (!all) continue;
    const siteId = context.siteIds.get(site) as number;
    const rows = await hourlyReadings(context.db, [siteId], ids, new Date(all.from - lookback), new Date(all.to));
    const spacingMs = lookback > 0 ? expectedSpacing(rows.map((r) => r.observedAt.getTime())) : undefined;
    const byHour = new Map<number, Record<string, string>>();
    for (const r of rows) {
      const t = r.observedAt.getTime();
      if (r.flag !== 'N' || !withinSpans(spans, t)) continue;
      const values = byHour.get(t) ?? {};
      values[codes.get(r.parameterId) as string] = r.value;
      byHour.set(t, values);
    }
    for (const [at, values] of [...byHour].sort((a, b) => a[0] - b[0])) {
      const target: WaterTarget | null = rule.targetClass ? { cls: rule.targetClass as WaterClass, id: null, source: `规则 ${rule.id}`, seasonal: [] } : waterTargetFor(context.config.targets, site, at);
      if (!target) continue;
      const assessment = assessAgainstTarget(values, target, at, siteConfig?.waterBody ?? 'river');
      if (!assessment) continue;
      const breaching = assessment.meets === false;
      observations.push({
        dedupKey: `${rule.id}|${site}`,
        behind: Object.keys(values).every((p) => behindWatermark(context, site, p, at)),
        at,
        siteId,
        parameterId: null,
        subject: { rule: rule.id, site },
        breaching,
        cleared: !breaching,
        spacingMs,
        evidence: {
          kind: 'water_class',
          rule: rule.id,
          site,
          origin: origins.site(site),
          class: assessment.class,
          classZh: assessment.class ? waterClassZh[assessment.class] : null,
          targetClass: target.cls,
          target: target.source,
          ...(target.validTo ? { targetValidTo: target.validTo } : {}),
          worst: assessment.classMeets === false ? assessment.worst : [],
          seasonalLimits: assessment.seasonal,
          values,
          standard: 'GB 3838-2002',
          limitSource: 'GB 3838-2002 表1 单因子评价',
        },
      });
    }
  }
  return observations;
}
