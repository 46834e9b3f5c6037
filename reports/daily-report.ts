/**
 * The daily summary of one natural day (01:00 … 24:00 Beijing time). Every configured site of its kinds is listed —
 * one without data as 无数据 with its completeness (0 of 24 hours), so silence never looks like "all clear". For
 * each air site its daily AQI, category, primary pollutants and the pollutants over the GB 3095 Grade II limit of
 * the date; for each water site two judgements side by side: the GB 3838-2002 single-factor class of all its
 * classified parameters (what the standard says) and its plan target's assessment, where the target's seasonal
 * special limits replace the class limit for their parameter (standards/water-target.ts: the same judgement as the
 * water_class rule and `envmon targets`), with the target cited as carried over when its period has ended. Data
 * completeness; the alerts of the day as of its end (reports/daily-report-alerts.ts); plan progress year-to-date
 * with the projection; and the series the chart shows (30 days of PM2.5). A day that has not begun is refused; a
 * day still running is reported as incomplete, as of now. Whatever comes from simulated or replayed demonstration
 * sources carries its origin (模拟数据 / 回放数据).
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { aggregatesOf } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import type { Database } from '../db/schema.ts';
import { addDayValue } from '../standards/air-series.ts';
import { DAY_MS, formatBeijing } from '../lib/time.ts';
import { targetsQuery, type TargetRow } from '../evaluate/target-standings.ts';
import { gb3095Limit } from '../standards/air-limits.ts';
import { exactMean } from '../standards/air-statistics.ts';
import { dailyAqi, editionForDay, pollutants, type DailyConcentrations, type Pollutant } from '../standards/aqi.ts';
import { endOfNaturalDay, naturalDayOf } from '../standards/natural-day.ts';
import { isClassified, sectionClass, type WaterClass } from '../standards/water-class.ts';
import { assessAgainstTarget, waterTargetFor, type TargetAssessment } from '../standards/water-target.ts';
import { exceedanceMultiple } from '../standards/exceedance.ts';
import { carriedOverNote } from '../standards/plan-period.ts';
import { noTargetInForceNote, targetStandings } from '../standards/plan-period.ts';
import { pushTo } from '../lib/collections.ts';
import { compareExact } from '../lib/decimal-number.ts';
import { originFields, type DataOrigin } from '../lib/data-origin.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';
import { alertsOfDay, type ReportAlerts } from './daily-report-alerts.ts';

/** Where a row's data come from: `origin` simulated / replayed (demonstration data) or null (measured). */
interface Origin {
  origin: DataOrigin | null;
  originLabel: string | null;
}

export interface AirSiteDay extends Origin {
  site: string;
  name: string;
  /** Whether the site has any day value of the date; without, it is listed as 无数据. */
  hasData: boolean;
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
  /** Whether the site has any valid sample on the date; without, it is listed as 无数据. */
  hasData: boolean;
  /** Sampling times of the date with a valid value. */
  samples: number;
  /** GB 3838-2002 single-factor class of all the day's means (every classified parameter, NH3-N included). */
  gb3838: { class: WaterClass; worst: { parameter: string; class: WaterClass; value: string }[] } | null;
  /** The governing water-class target on the date; `carriedOver` says so when its period has ended. */
  target: { id: string | null; source: string; validTo: string | null; carriedOver: string | null } | null;
  /** For the target assessment: GB 3838 class of the day's means, parameters under a seasonal special limit excepted. */
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
  /** False for a day still running: the report holds what was there at `asOf`. */
  complete: boolean;
  /** The time an incomplete report was built (ISO); null for a complete day. */
  asOf: string | null;
  /** The demonstration origins of anything the report shows (empty when all of it is measured data). */
  origins: DataOrigin[];
  air: AirSiteDay[];
  water: WaterSiteDay[];
  alerts: ReportAlerts;
  /**
   * Targets in force and references (`reference`, `statusNote`) with their progress, and ended targets (`final`)
   * with their final-year result.
   */
  targets: TargetRow[];
  /** Why no target in force is shown, or which targets in force are not in the table; null when nothing is missing. */
  targetsNote: string | null;
  chart: ({ site: string; name: string; parameter: 'pm2_5'; unit: string; target: number | null; targetLabel: string | null; daysWithData: number; days: { day: string; value: string | null }[] } & Origin) | null;
}

/** GB 3838-2002 Table 1 order, in which a section's parameters are listed. */
const waterOrder = ['ph', 'do', 'codmn', 'cod', 'bod5', 'nh3_n', 'tp'];
const byTableOrder = <T extends { parameter: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => waterOrder.indexOf(a.parameter) - waterOrder.indexOf(b.parameter));

/** Why a report of `date` cannot be built at `now`: the day has not begun. Null when it can. */
export function reportDateProblem(date: string, now: Date): string | null {
  const dayStart = endOfNaturalDay(date).getTime() - DAY_MS;
  return now.getTime() <= dayStart ? `${date} has not begun (it is ${formatBeijing(now)} Beijing time now)` : null;
}

export async function buildDailyReport(db: Kysely<Database>, config: AppConfig, parameterIds: ParameterIds, date: string, now: Date): Promise<DailyReport> {
  const problem = reportDateProblem(date, now);
  if (problem) throw new Error(problem);
  const dayEnd = endOfNaturalDay(date);
  const dayStart = new Date(dayEnd.getTime() - DAY_MS);
  const complete = now.getTime() >= dayEnd.getTime();
  // A day still running is reported as of now: nothing after it counts.
  const cutoff = complete ? dayEnd : now;
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
    // A site without data is listed too (无数据, 0 of 24 hours): silence must not look like "all clear".
    const result = dailyAqi(editionForDay(date), values);
    air.push({ site: site.code, name: site.nameZh, ...originOfSite(site.code), hasData: rows.length > 0, aqi: result.aqi, category: result.category?.nameZh ?? null, primaryPollutants: result.primaryPollutants, standard: result.standard, exceedances, completeness });
  }

  // Water: the day's mean of each classified parameter, classed by GB 3838 single-factor assessment.
  const water: WaterSiteDay[] = [];
  const waterParameters = [...parameterIds.keys()].filter(isClassified);
  const bySite = new Map<string, Map<string, string[]>>();
  const timesBySite = new Map<string, Set<number>>();
  for (const v of await hourlyValues(db, waterSites.map((s) => s.code), waterParameters, dayStart, cutoff)) {
    const params = bySite.get(v.site) ?? new Map<string, string[]>();
    bySite.set(v.site, params);
    pushTo(params, v.parameter, v.value);
    timesBySite.set(v.site, (timesBySite.get(v.site) ?? new Set<number>()).add(v.observedAt.getTime()));
  }
  for (const site of waterSites) {
    const params = bySite.get(site.code) ?? new Map<string, string[]>();
    const means = Object.fromEntries([...params].map(([p, list]) => [p, exactMean(list, 3)]));
    const waterBody = site.waterBody ?? 'river';
    // The day's means against the target in force on the date, with the date's seasonal limits: as the rule judges.
    const target = waterTargetFor(config.targets, site.code, dayEnd.getTime());
    const document = config.targets.find((t) => t.id === target?.id)?.document ?? '';
    const judged = target && params.size > 0 ? assessAgainstTarget(means, target, dayEnd.getTime(), waterBody) : null;
    // What GB 3838 says of the day's means, every classified parameter included (a seasonal limit is the plan's, not the standard's).
    const all = sectionClass(means, waterBody);
    water.push({
      site: site.code,
      name: site.nameZh,
      ...originOfSite(site.code),
      hasData: params.size > 0,
      samples: timesBySite.get(site.code)?.size ?? 0,
      gb3838: all ? { class: all.class, worst: byTableOrder(all.worst.map((w) => ({ ...w, value: means[w.parameter] ?? '' }))) } : null,
      target: target ? { id: target.id, source: target.source, validTo: target.validTo ?? null, carriedOver: target.validTo ? carriedOverNote({ document, validTo: target.validTo }, date) : null } : null,
      class: judged?.class ?? null,
      targetClass: target?.cls ?? null,
      meets: judged?.meets ?? null,
      worst: byTableOrder(judged?.worst ?? []),
      seasonal: judged?.seasonal ?? [],
      completeness: Object.fromEntries([...params].map(([p, list]) => [p, list.length])),
    });
  }

  const alerts = await alertsOfDay(db, dayStart, cutoff);
  const governing = config.targets.filter((t) => t.governing);
  // Targets in force and references with their progress; ended targets with their final-year result.
  const targets = (await targetsQuery(db, governing, parameterIds, { asOf: date }, now)).filter((t) => (t.status === 'final' ? t.final !== undefined : t.progress !== null));
  const chart = await chartSeries(db, config, siteIds, parameterIds, air, date);
  const shown = [...air, ...water, ...alerts.items, ...targets, ...(chart ? [chart] : [])].map((r) => r.origin);
  const present = (['simulated', 'replayed'] as const).filter((o) => shown.includes(o));
  return { date, complete, asOf: complete ? null : now.toISOString(), origins: present, air, water, alerts, targets, targetsNote: targetsNote(governing, targets, date), chart };
}

/**
 * What the targets table does not show, said rather than left out: targets in force without progress here (an area
 * target: the summary computes per site), or — with none in force — why (standards/plan-period.ts: the plan period
 * has ended and the next plan's targets are not entered, so references are carried forward).
 */
function targetsNote(governing: AppConfig['targets'], shown: readonly TargetRow[], date: string): string | null {
  const listed = new Set(shown.map((t) => t.id));
  const missing = governing.filter((t) => t.validFrom <= date && date <= t.validTo && !listed.has(t.id));
  if (missing.length > 0) return `在期规划目标中 ${missing.length} 个不在此表：${missing.map((t) => `${t.id}（${'area' in t.scope ? '区域目标，日报按站点计算' : '无进度'}）`).join('、')}`;
  const why = noTargetInForceNote(governing, date);
  if (why === null) return null;
  return governing.some((t) => t.indicator === 'water_class' && t.validTo < date) ? `${why}；水质断面仍沿用其目标类别评价，见二` : why;
}

/**
 * 30 days of PM2.5 day values at the first air site with data that day (one with a PM2.5 target in its period, or
 * carried forward as a reference, first), with the target line: that target, else the GB 3095 Grade II 24-hour
 * limit of the date.
 */
async function chartSeries(db: Kysely<Database>, config: AppConfig, siteIds: Map<string, number>, parameterIds: ParameterIds, air: readonly AirSiteDay[], date: string): Promise<DailyReport['chart']> {
  const pm25 = parameterIds.get('pm2_5');
  // The PM2.5 target in force, else the one carried forward as a reference (labelled as such below).
  const standings = targetStandings(config.targets, date).filter((s) => s.status !== 'final');
  const withTarget = (code: string) => standings.find(({ target: t }) => t.governing && t.indicator === 'pm2_5_annual_mean' && 'site' in t.scope && t.scope.site === code && t.target.value !== undefined);
  const site = air.filter((a) => a.hasData).sort((a, b) => Number(withTarget(b.site) !== undefined) - Number(withTarget(a.site) !== undefined))[0];
  if (!site || pm25 === undefined) return null;
  const end = endOfNaturalDay(date);
  const rows = await aggregatesOf(db, 'day', [siteIds.get(site.site) as number], [pm25], new Date(end.getTime() - 29 * DAY_MS), end);
  const byDay = new Map(rows.map((r) => [naturalDayOf(r.windowEnd), r.value]));
  const days = Array.from({ length: 30 }, (_, i) => naturalDayOf(new Date(end.getTime() - (29 - i) * DAY_MS))).map((day) => ({ day, value: byDay.get(day) ?? null }));
  const standing = withTarget(site.site);
  const target = standing?.target;
  const reference = standing?.status === 'reference' ? `（${standing.statusNote}）` : '';
  const limit = gb3095Limit('pm2_5', 'day', 2, end);
  return {
    site: site.site,
    name: site.name,
    origin: site.origin,
    originLabel: site.originLabel,
    parameter: 'pm2_5',
    unit: 'μg/m³',
    target: target ? Number(target.target.value) : (limit?.limit ?? null),
    // The label carries the value and unit once (GB 3095 clauses already end in "60 μg/m³").
    targetLabel: target ? `${target.document} PM2.5 年均 ≤ ${String(target.target.value)} μg/m³${reference}` : (limit?.clause ?? null),
    daysWithData: days.filter((d) => d.value !== null).length,
    days,
  };
}
