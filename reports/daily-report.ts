/**
 * The daily summary of one natural day (01:00 … 24:00 Beijing time): for each air site its daily AQI, category,
 * primary pollutants and the pollutants over the GB 3095 Grade II limit of the date; for each water site its class
 * against its target (standards/water-target.ts: the same judgement, seasonal limits included, as the water_class
 * rule and `envmon targets`) and the worst parameters; data completeness (valid hours of 24); alerts opened, resolved
 * and still open; plan progress year-to-date with the projection; and the series the chart shows (30 days of PM2.5).
 * Whatever comes from simulated or replayed demonstration sources carries its origin (模拟数据 / 回放数据).
 */
import { sql, type Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { aggregatesOf } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import type { Database } from '../db/schema.ts';
import { addDayValue } from '../standards/air-series.ts';
import { DAY_MS } from '../lib/time.ts';
import { targetsQuery, type TargetRow } from '../queries/targets-query.ts';
import { gb3095Limit } from '../standards/air-limits.ts';
import { exactMean } from '../standards/air-statistics.ts';
import { dailyAqi, editionForDay, pollutants, type DailyConcentrations, type Pollutant } from '../standards/aqi.ts';
import { endOfNaturalDay, naturalDayOf } from '../standards/natural-day.ts';
import { isClassified, sectionClass, type WaterClass } from '../standards/water-class.ts';
import { assessAgainstTarget, waterTargetFor, type TargetAssessment } from '../standards/water-target.ts';
import { exceedanceMultiple } from '../notify/templates.ts';
import { pushTo } from '../lib/collections.ts';
import { compareExact } from '../lib/decimal-number.ts';
import { originFields, type DataOrigin } from '../lib/data-origin.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';

/** Where a row's data come from: `origin` simulated / replayed (demonstration data) or null (measured). */
interface Origin {
  origin: DataOrigin | null;
  originLabel: string | null;
}

export interface AirSiteDay extends Origin {
  site: string;
  name: string;
  aqi: number | null;
  category: string | null;
  primaryPollutants: Pollutant[];
  standard: string;
  /** Pollutants whose day value exceeds the GB 3095 Grade II limit in force on the date. */
  exceedances: { parameter: string; value: string; limit: number; clause: string; multiple: string | null }[];
  /** Valid hours of 24, per pollutant. */
  completeness: Record<string, number>;
}

export interface WaterSiteDay extends Origin {
  site: string;
  name: string;
  /** GB 3838 class of the day's means (parameters under a seasonal special limit of the target excepted). */
  class: WaterClass | null;
  targetClass: WaterClass | null;
  meets: boolean | null;
  worst: { parameter: string; class: WaterClass; value: string }[];
  /** The target's special limits in force on the date, against the day's means. */
  seasonal: TargetAssessment['seasonal'];
  completeness: Record<string, number>;
}

export interface DailyReport {
  date: string;
  /** The demonstration origins of anything the report shows (empty when all of it is measured data). */
  origins: DataOrigin[];
  air: AirSiteDay[];
  water: WaterSiteDay[];
  alerts: { opened: number; resolved: number; open: number; items: ({ id: number; rule: string; site: string | null; state: string; severity: string; firstSeenAt: string; resolvedAt: string | null } & Origin)[] };
  targets: TargetRow[];
  chart: ({ site: string; name: string; parameter: 'pm2_5'; target: number | null; targetLabel: string | null; days: { day: string; value: string | null }[] } & Origin) | null;
}

export async function buildDailyReport(db: Kysely<Database>, config: AppConfig, parameterIds: ParameterIds, date: string, now: Date): Promise<DailyReport> {
  const dayEnd = endOfNaturalDay(date);
  const dayStart = new Date(dayEnd.getTime() - DAY_MS);
  const airSites = config.sites.filter((s) => s.kind === 'air_station');
  const waterSites = config.sites.filter((s) => s.kind === 'surface_water' || s.kind === 'drinking_water_source');
  const siteIds = await siteIdsByCode(db, [...airSites, ...waterSites].map((s) => s.code));
  const codeOf = new Map([...parameterIds].map(([code, id]) => [id, code]));
  const origins = await dataOrigins(db, [...siteIds.values()], { from: dayStart, to: dayEnd });
  const originOfSite = (code: string) => originFields(origins.get(siteIds.get(code) ?? -1));

  // Air: the day rows of the six pollutants.
  const airIds = airSites.flatMap((s) => (siteIds.has(s.code) ? [siteIds.get(s.code) as number] : []));
  const pollutantIds = pollutants.flatMap((p) => (parameterIds.has(p) ? [parameterIds.get(p) as number] : []));
  const dayRows = await aggregatesOf(db, 'day', airIds, pollutantIds, dayEnd, dayEnd);
  const air: AirSiteDay[] = [];
  for (const site of airSites) {
    const id = siteIds.get(site.code);
    const rows = dayRows.filter((r) => r.siteId === id);
    const values: DailyConcentrations = {};
    const completeness: Record<string, number> = Object.fromEntries(pollutants.map((p) => [p, 0]));
    const exceedances: AirSiteDay['exceedances'] = [];
    for (const r of rows) {
      const p = codeOf.get(r.parameterId) as Pollutant;
      completeness[p] = r.hourCount ?? 0;
      addDayValue(values, p, r);
      const limit = r.value === null ? null : gb3095Limit(p, 'day', 2, dayEnd);
      if (limit && r.value !== null && compareExact(r.value, limit.limit) > 0) exceedances.push({ parameter: p, value: r.value, limit: limit.limit, clause: limit.clause, multiple: exceedanceMultiple(r.value, String(limit.limit)) });
    }
    if (rows.length === 0) continue;
    const result = dailyAqi(editionForDay(date), values);
    air.push({ site: site.code, name: site.nameZh, ...originOfSite(site.code), aqi: result.aqi, category: result.category?.nameZh ?? null, primaryPollutants: result.primaryPollutants, standard: result.standard, exceedances, completeness });
  }

  // Water: the day's mean of each classified parameter, classed by GB 3838 single-factor assessment.
  const water: WaterSiteDay[] = [];
  const waterParameters = [...parameterIds.keys()].filter(isClassified);
  const bySite = new Map<string, Map<string, string[]>>();
  for (const v of await hourlyValues(db, waterSites.map((s) => s.code), waterParameters, dayStart, dayEnd)) {
    const params = bySite.get(v.site) ?? new Map<string, string[]>();
    bySite.set(v.site, params);
    pushTo(params, v.parameter, v.value);
  }
  for (const site of waterSites) {
    const params = bySite.get(site.code);
    if (!params) continue;
    const means = Object.fromEntries([...params].map(([p, list]) => [p, exactMean(list, 3)]));
    // The day's means against the target in force on the date, with the date's seasonal limits: as the rule judges.
    const target = waterTargetFor(config.targets, site.code, dayEnd.getTime());
    const judged = target ? assessAgainstTarget(means, target, dayEnd.getTime(), site.waterBody ?? 'river') : null;
    const classOnly = target ? null : sectionClass(means, site.waterBody ?? 'river');
    water.push({
      site: site.code,
      name: site.nameZh,
      ...originOfSite(site.code),
      class: judged?.class ?? classOnly?.class ?? null,
      targetClass: target?.cls ?? null,
      meets: judged?.meets ?? null,
      worst: judged?.worst ?? classOnly?.worst.map((w) => ({ ...w, value: means[w.parameter] ?? '' })) ?? [],
      seasonal: judged?.seasonal ?? [],
      completeness: Object.fromEntries([...params].map(([p, list]) => [p, list.length])),
    });
  }

  // Alerts of the day.
  const alertRows = await sql<{ id: number; rule_id: string; site: string | null; state: string; severity: string; first_seen_at: Date; resolved_at: Date | null; origin: DataOrigin | null }>`
    select a.id, a.rule_id, s.code as site, a.state, a.severity, a.first_seen_at, a.resolved_at, a.evidence->>'origin' as origin
    from alert a left join site s on s.id = a.site_id
    where (a.first_seen_at > ${dayStart} and a.first_seen_at <= ${dayEnd}) or (a.resolved_at > ${dayStart} and a.resolved_at <= ${dayEnd}) or a.state <> 'resolved'
    order by a.id limit 200`.execute(db);
  const within = (t: Date | null) => t !== null && t > dayStart && t <= dayEnd;
  const alerts = {
    opened: alertRows.rows.filter((a) => within(a.first_seen_at)).length,
    resolved: alertRows.rows.filter((a) => within(a.resolved_at)).length,
    open: alertRows.rows.filter((a) => a.state !== 'resolved').length,
    items: alertRows.rows.map((a) => ({ id: a.id, rule: a.rule_id, site: a.site, state: a.state, severity: a.severity, firstSeenAt: a.first_seen_at.toISOString(), resolvedAt: a.resolved_at?.toISOString() ?? null, ...originFields(a.origin) })),
  };

  const targets = (await targetsQuery(db, config.targets.filter((t) => t.governing), parameterIds, { asOf: date }, now)).filter((t) => t.progress !== null);
  const chart = await chartSeries(db, config, siteIds, parameterIds, air, date);
  const shown = [...air, ...water, ...alerts.items, ...targets, ...(chart ? [chart] : [])].map((r) => r.origin);
  const present = (['simulated', 'replayed'] as const).filter((o) => shown.includes(o));
  return { date, origins: present, air, water, alerts, targets, chart };
}

/** 30 days of PM2.5 day values at the first air site with data (one with a PM2.5 target first), with the target line. */
async function chartSeries(db: Kysely<Database>, config: AppConfig, siteIds: Map<string, number>, parameterIds: ParameterIds, air: readonly AirSiteDay[], date: string): Promise<DailyReport['chart']> {
  const pm25 = parameterIds.get('pm2_5');
  const withTarget = (code: string) => config.targets.find((t) => t.governing && t.indicator === 'pm2_5_annual_mean' && 'site' in t.scope && t.scope.site === code && t.target.value !== undefined);
  const site = [...air].sort((a, b) => Number(withTarget(b.site) !== undefined) - Number(withTarget(a.site) !== undefined))[0];
  if (!site || pm25 === undefined) return null;
  const end = endOfNaturalDay(date);
  const rows = await aggregatesOf(db, 'day', [siteIds.get(site.site) as number], [pm25], new Date(end.getTime() - 29 * DAY_MS), end);
  const byDay = new Map(rows.map((r) => [naturalDayOf(r.windowEnd), r.value]));
  const days = Array.from({ length: 30 }, (_, i) => naturalDayOf(new Date(end.getTime() - (29 - i) * DAY_MS))).map((day) => ({ day, value: byDay.get(day) ?? null }));
  const target = withTarget(site.site);
  const limit = gb3095Limit('pm2_5', 'day', 2, end);
  return {
    site: site.site,
    name: site.name,
    origin: site.origin,
    originLabel: site.originLabel,
    parameter: 'pm2_5',
    target: target ? Number(target.target.value) : (limit?.limit ?? null),
    targetLabel: target ? `${target.document} PM2.5 年均 ≤ ${String(target.target.value)}` : (limit?.clause ?? null),
    days,
  };
}
