/**
 * Water assessment per section and month (GB 3838 single-factor, standards/water-assessment.ts) from the stored
 * hourly values of surface-water sections and drinking-water sources, natural days `from`..`to` inclusive in Beijing
 * time. A month without data is listed with 0 samples and no class, never left out. Days after today are not
 * assessed (`to` is cut at today). Sites fed by demonstration data carry their label (模拟数据 / 回放数据).
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields } from '../lib/data-origin.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';
import type { WaterAssessment } from '../standards/assessment-types.ts';
import { endOfNaturalDay, lastDayOfMonth } from '../standards/natural-day.ts';
import { assessedParameters, assessMonth, assessPeriod, monthKeyOf, monthsBetween, sharesOf, supplementaryLimits, type WaterSample, type WaterSection } from '../standards/water-assessment.ts';
import { QueryError } from '../lib/query-error.ts';

export interface WaterAssessQuery {
  /** Site codes of water sections; without, every surface-water section and drinking-water source. */
  sites?: readonly string[];
  /** YYYY-MM-DD, both inclusive. */
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function assessWater(db: Kysely<Database>, config: AppConfig, query: WaterAssessQuery, now: Date): Promise<WaterAssessment> {
  if (!DAY.test(query.from) || Number.isNaN(Date.parse(query.from))) throw new QueryError(`from: got "${query.from}", expected a date YYYY-MM-DD`);
  if (!DAY.test(query.to) || Number.isNaN(Date.parse(query.to))) throw new QueryError(`to: got "${query.to}", expected a date YYYY-MM-DD`);
  if (query.to < query.from) throw new QueryError(`to (${query.to}) is before from (${query.from})`);
  const today = new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  if (query.from > today) throw new QueryError(`from (${query.from}) is after today (${today}): nothing to assess yet`);
  const to = query.to > today ? today : query.to;

  const water = config.sites.filter((s) => s.kind === 'surface_water' || s.kind === 'drinking_water_source');
  for (const code of query.sites ?? []) {
    if (!water.some((s) => s.code === code)) throw new QueryError(`sites: got "${code}", expected the code of a configured surface-water section or drinking-water source (${water.map((s) => s.code).join(', ')})`);
  }
  const chosen = query.sites ? water.filter((s) => query.sites?.includes(s.code)) : water;
  const start = new Date(endOfNaturalDay(query.from).getTime() - DAY_MS);
  const end = endOfNaturalDay(to);
  const ids = await siteIdsByCode(db, chosen.map((s) => s.code));
  const origins = await dataOrigins(db, [...ids.values()], { from: start, to: end });
  const values = await hourlyValues(db, chosen.map((s) => s.code), [...assessedParameters, ...Object.keys(supplementaryLimits)], start, end);

  // Samples per site and hour end.
  const bySite = new Map<string, Map<number, Record<string, string>>>();
  for (const v of values) {
    const byTime = bySite.get(v.site) ?? new Map<number, Record<string, string>>();
    bySite.set(v.site, byTime);
    const at = v.observedAt.getTime();
    byTime.set(at, { ...byTime.get(at), [v.parameter]: v.value });
  }

  const months = monthsBetween(query.from, to);
  const result: WaterAssessment = { from: query.from, to, months: [], period: [], classIIIOrBetter: { count: 0, assessed: 0, ratio: null }, drinkingWaterCompliance: { count: 0, assessed: 0, ratio: null } };
  for (const site of chosen) {
    const siteId = ids.get(site.code);
    const section: WaterSection = {
      site: site.code,
      name: site.nameZh,
      kind: site.kind as WaterSection['kind'],
      waterBody: site.waterBody ?? 'river',
      targets: config.targets,
      originLabel: originFields(siteId === undefined ? null : origins.get(siteId)).originLabel,
    };
    const samples: WaterSample[] = [...(bySite.get(site.code) ?? new Map<number, Record<string, string>>())].map(([at, v]) => ({ at, values: v }));
    for (const month of months) {
      // The target in force at the month's last assessed day governs the month.
      const last = lastDayOfMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
      const targetAt = endOfNaturalDay(last < to ? last : to).getTime();
      result.months.push(assessMonth(section, month, samples.filter((s) => monthKeyOf(s.at) === month), targetAt));
    }
    const label = months.length === 1 ? (months[0] ?? '') : `${months[0] ?? ''}..${months.at(-1) ?? ''}`;
    result.period.push(assessPeriod(section, label, samples, end.getTime()));
  }
  return { ...result, ...sharesOf(result.period) };
}
