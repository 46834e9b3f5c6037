/**
 * Water-class rules: at each hour with data, the section's class by GB 3838-2002 single-factor assessment (the
 * worst classified parameter, 劣Ⅴ beyond Ⅴ; DO as a lower bound; lake TP for lakes and reservoirs) against its
 * target class. A target's seasonal special limits (e.g. 武良 NH3-N ≤ 8 mg/L in winter) replace the class limit
 * for that parameter in those months.
 */
import type { TargetConfig, WaterClassRuleConfig } from '../../config/schema.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { BEIJING_OFFSET_MS, HOUR_MS } from '../../lib/time.ts';
import { isClassified, meetsClass, sectionClass, waterClassZh, type WaterClass } from '../../standards/water-class.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { behindWatermark, changedSitesInScope, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';

export async function waterClassObservations(context: EvaluationContext, rule: WaterClassRuleConfig): Promise<RuleObservation[]> {
  const observations: RuleObservation[] = [];
  const codes = new Map([...context.parameterIds].map(([code, id]) => [id, code]));
  const ids = [...context.parameterIds].filter(([code]) => isClassified(code)).map(([, id]) => id);
  for (const site of changedSitesInScope(context, rule.scope)) {
    const siteConfig = context.config.sites.find((s) => s.code === site);
    const spans = (context.changes.get(site) ?? []).filter((s) => isClassified(s.parameter)).map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
    const all = coveringSpan(spans);
    if (!all) continue;
    const siteId = context.siteIds.get(site) as number;
    const rows = await hourlyReadings(context.db, [siteId], ids, new Date(all.from), new Date(all.to));
    const byHour = new Map<number, Record<string, string>>();
    for (const r of rows) {
      const t = r.observedAt.getTime();
      if (r.flag !== 'N' || !withinSpans(spans, t)) continue;
      const values = byHour.get(t) ?? {};
      values[codes.get(r.parameterId) as string] = r.value;
      byHour.set(t, values);
    }
    for (const [at, values] of [...byHour].sort((a, b) => a[0] - b[0])) {
      const target = rule.targetClass ? { cls: rule.targetClass as WaterClass, source: `规则 ${rule.id}`, seasonal: [] } : waterTargetFor(context.config.targets, site, at);
      if (!target) continue;
      const month = new Date(at + BEIJING_OFFSET_MS - HOUR_MS).getUTCMonth() + 1;
      const seasonal = target.seasonal.filter((l) => l.months.includes(month) && values[l.parameter] !== undefined);
      const classified = Object.fromEntries(Object.entries(values).filter(([p]) => !seasonal.some((l) => l.parameter === p)));
      const assessment = sectionClass(classified, siteConfig?.waterBody ?? 'river');
      const seasonalBreaches = seasonal.filter((l) => Number(values[l.parameter]) > l.limit);
      if (!assessment && seasonal.length === 0) continue;
      const classBreach = assessment !== null && !meetsClass(assessment.class, target.cls);
      const breaching = classBreach || seasonalBreaches.length > 0;
      observations.push({
        dedupKey: `${rule.id}|${site}`,
        behind: Object.keys(values).every((p) => behindWatermark(context, site, p, at)),
        at,
        siteId,
        parameterId: null,
        subject: { rule: rule.id, site },
        breaching,
        cleared: !breaching,
        evidence: {
          kind: 'water_class',
          rule: rule.id,
          site,
          class: assessment?.class ?? null,
          classZh: assessment ? waterClassZh[assessment.class] : null,
          targetClass: target.cls,
          target: target.source,
          worst: classBreach ? assessment.worst.map((w) => ({ ...w, value: values[w.parameter] })) : [],
          seasonalLimits: seasonal.map((l) => ({ parameter: l.parameter, limit: l.limit, value: values[l.parameter], breached: Number(values[l.parameter]) > l.limit })),
          values,
          standard: 'GB 3838-2002',
          limitSource: 'GB 3838-2002 表1 单因子评价',
        },
      });
    }
  }
  return observations;
}

/** The governing water-class target of a site in force at a time; past its period, the latest earlier one still applies. */
export function waterTargetFor(targets: readonly TargetConfig[], site: string, at: number): { cls: WaterClass; source: string; seasonal: NonNullable<TargetConfig['seasonalLimits']> } | null {
  const day = new Date(at + BEIJING_OFFSET_MS - HOUR_MS).toISOString().slice(0, 10);
  const candidates = targets
    .filter((t) => t.indicator === 'water_class' && t.governing && 'site' in t.scope && t.scope.site === site && t.validFrom <= day)
    .sort((a, b) => (a.validTo < b.validTo ? 1 : -1));
  const target = candidates.find((t) => t.validTo >= day) ?? candidates[0];
  if (!target) return null;
  const cls = String(target.target.comparator === 'not_worse_than_baseline' ? target.baseline?.value : target.target.value) as WaterClass;
  return { cls, source: `${target.document}（${target.id}，${target.validFrom}–${target.validTo}）`, seasonal: target.seasonalLimits ?? [] };
}
