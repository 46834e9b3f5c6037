/**
 * Target-at-risk rules: after a natural day's air data change, each governing air target of the site is checked
 * year-to-date (evaluate/target-standings.ts); a target whose YTD value misses it is at risk, and the alert carries
 * the projection — what the rest of the year must average, or how many remaining days must be good. After a
 * plan period ends and before the next plan's target is entered, the latest target is judged as a reference, and
 * the alert says so (`reference`, `statusNote`).
 */
import type { TargetAtRiskRuleConfig } from '../../config/schema.ts';
import { targetsQuery } from '../target-standings.ts';
import { naturalDayOf } from '../../standards/natural-day.ts';
import { pollutants } from '../../standards/aqi.ts';
import type { RuleObservation } from '../apply-observations.ts';
import type { EvaluationContext } from '../evaluation-context.ts';

export async function targetAtRiskObservations(context: EvaluationContext, rule: TargetAtRiskRuleConfig): Promise<RuleObservation[]> {
  const observations: RuleObservation[] = [];
  const targets = context.config.targets.filter((t) => t.indicator !== 'water_class' && 'site' in t.scope && (rule.targets ? rule.targets.includes(t.id) : t.governing));
  for (const [site, spans] of context.changes) {
    const siteId = context.siteIds.get(site);
    const siteTargets = targets.filter((t) => 'site' in t.scope && t.scope.site === site);
    if (siteId === undefined || siteTargets.length === 0 || !spans.some((s) => (pollutants as readonly string[]).includes(s.parameter))) continue;
    // The newest day whose data changed; progress is judged as of that day.
    const latestDay = Math.max(...spans.flatMap((s) => context.refreshed.get(`${site}|${s.parameter}`)?.windows.days ?? []));
    if (!Number.isFinite(latestDay)) continue;
    const asOf = naturalDayOf(new Date(latestDay));
    const rows = await targetsQuery(context.db, siteTargets, context.parameterIds, { asOf, ids: siteTargets.map((t) => t.id) }, context.now);
    for (const row of rows) {
      // A target in force, or — after its plan period, until the next plan's target is entered — the latest one as
      // a labelled reference (standards/plan-period.ts): the rule never falls silent when a period ends.
      if ((row.status !== 'in_force' && row.status !== 'reference') || row.progress === null || row.progress.meets === null) continue;
      const breaching = row.progress.meets === false;
      observations.push({
        dedupKey: `${rule.id}|${site}|${row.id}`,
        at: latestDay,
        siteId,
        parameterId: null,
        subject: { rule: rule.id, site },
        breaching,
        cleared: !breaching,
        evidence: {
          kind: 'target_at_risk',
          rule: rule.id,
          site,
          origin: row.origin,
          target: row.id,
          document: row.document,
          nature: row.nature,
          indicator: row.indicator,
          asOf,
          current: row.progress.current,
          required: row.progress.required,
          basis: row.progress.basis,
          projection: row.progress.projection,
          ...(row.reference ? { reference: true, statusNote: row.statusNote ?? null, periodNote: row.periodNote ?? null } : {}),
        },
      });
    }
  }
  return observations;
}
