/**
 * Period assessment of air for sites or areas (HJ 663): see standards/assessment-types.ts for the result. Built on
 * the stored natural-day aggregates: 24-h means of SO2, NO2, PM10, PM2.5 and CO, and the O3 daily maximum 8-h mean
 * with its count of valid 8-h windows. Dust-affected days (扣沙) come from `envmon dust add` and `dustDays` in the
 * configuration; every figure is also given without them.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { aggregatesOf } from '../db/repositories/aggregates.repository.ts';
import { airSites, type AirSite } from '../db/repositories/air-sites.repository.ts';
import { dustDaysBetween, type DustDay } from '../db/repositories/dust-days.repository.ts';
import { loadParameterIds } from '../db/repositories/parameters.repository.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields, strongestOrigin } from '../lib/data-origin.ts';
import { dateProblem } from '../lib/time-input.ts';
import { airFigures, areaDays, o3DayCounts, percentChange, pointChange, requiredDays, standardOf, type AssessmentDay } from '../standards/air-assessment.ts';
import { AIR_VALIDITY } from '../standards/air-statistics.ts';
import type { DailyConcentrations, Pollutant } from '../standards/aqi.ts';
import type { AirAssessment, AirFigures } from '../standards/assessment-types.ts';
import { endOfNaturalDay, naturalDayOf } from '../standards/natural-day.ts';
import { QueryError } from '../lib/query-error.ts';

export interface AirAssessQuery {
  /** Site codes; with neither sites nor area, every air site. */
  sites?: readonly string[];
  /** An area name (sites' `area`): its value is the mean over its sites (HJ 663). */
  area?: string;
  /** YYYY-MM-DD, both inclusive, natural days in Beijing time. */
  from: string;
  to: string;
}

/** Longest period assessed at once: ten years of natural days. */
const MAX_DAYS = 3660;
const assessedParameters: readonly Pollutant[] = ['so2', 'no2', 'pm10', 'pm2_5', 'co', 'o3'];

/** Assesses the sites asked for (every air site without `sites` or `area`), or an area as the mean of its sites. */
export async function assessAir(db: Kysely<Database>, config: Pick<AppConfig, 'dustDays'>, query: AirAssessQuery, _now: Date): Promise<AirAssessment[]> {
  checkPeriod(query.from, query.to);
  const all = await airSites(db);
  const last = { from: yearEarlier(query.from), to: yearEarlier(query.to) };

  // Only the sites assessed are read.
  if (query.area !== undefined) {
    const members = all.filter((s) => s.area === query.area);
    if (members.length === 0) throw new QueryError(`area: no air site is in area ${JSON.stringify(query.area)} (areas: ${[...new Set(all.map((s) => s.area))].join(', ') || 'none'})`);
    const context = await loadContext(db, config, members, query, last);
    return [assessment(context, members, { area: query.area, name: query.area, sites: members.map((s) => s.code) }, query, last)];
  }
  const codes = query.sites ?? all.map((s) => s.code);
  const unknown = codes.filter((c) => !all.some((s) => s.code === c));
  if (unknown.length > 0) throw new QueryError(`site: ${unknown.join(', ')} is not an air site (air sites: ${all.map((s) => s.code).join(', ') || 'none'})`);
  const selected = codes.map((c) => all.find((s) => s.code === c) as AirSite);
  const context = await loadContext(db, config, selected, query, last);
  return selected.map((site) => assessment(context, [site], { site: site.code, name: site.nameZh }, query, last));
}

/** Both dates real days (YYYY-MM-DD), from ≤ to, at most ten years. */
export function checkPeriod(from: string, to: string): void {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) throw new QueryError(`${name}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    const problem = dateProblem(Number(m[1]), Number(m[2]), Number(m[3]));
    if (problem) throw new QueryError(`${name}: no such date ${value} (${problem})`);
  }
  if (from > to) throw new QueryError(`from: ${from} is after to ${to}`);
  if (dayCount(from, to) > MAX_DAYS) throw new QueryError(`to: a period of at most ${MAX_DAYS} days, got ${dayCount(from, to)}`);
}

const dayCount = (from: string, to: string): number => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;

/** The same date a year earlier; 29 February becomes 28 February. */
function yearEarlier(day: string): string {
  const year = Number(day.slice(0, 4)) - 1;
  const monthDay = day.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${year}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
}

interface Context {
  /** site id → day → values, over both periods. */
  days: Map<number, Map<string, DailyConcentrations>>;
  dust: DustDay[];
  origins: Map<number, 'simulated' | 'replayed'>;
}

async function loadContext(db: Kysely<Database>, config: Pick<AppConfig, 'dustDays'>, sites: readonly AirSite[], query: AirAssessQuery, last: { from: string; to: string }): Promise<Context> {
  const parameterIds = await loadParameterIds(db);
  const ids = new Map(assessedParameters.flatMap((p) => (parameterIds.has(p) ? [[parameterIds.get(p) as number, p] as const] : [])));
  const siteIds = sites.map((s) => s.id);
  const days = new Map<number, Map<string, DailyConcentrations>>();
  for (const span of [last, query]) {
    const rows = await aggregatesOf(db, 'day', siteIds, [...ids.keys()], new Date(endOfNaturalDay(span.from).getTime() - 86_400_000 + 1), endOfNaturalDay(span.to));
    for (const r of rows) {
      const p = ids.get(r.parameterId);
      if (p === undefined) continue;
      const bySite = days.get(r.siteId) ?? new Map<string, DailyConcentrations>();
      days.set(r.siteId, bySite);
      const day = naturalDayOf(r.windowEnd);
      const values = bySite.get(day) ?? {};
      bySite.set(day, values);
      if (p !== 'o3') {
        if (r.value !== null) values[p] = r.value;
        continue;
      }
      // The O3 day value counts with 14 valid 8-h means of the 17 ending 08–24 h, or above the limit anyway.
      if (o3DayCounts(r.value, r.validCount)) values.o3_8h = r.value as string;
      // HJ 633-2012 §5.1.2: the daily maximum hourly O3, from a day with 20 valid hours (GB 3095 Table 4).
      if (r.maxHour !== null && (r.hourCount ?? 0) >= AIR_VALIDITY.hoursPerDay) values.o3_1h = r.maxHour;
    }
  }
  const configured: DustDay[] = (config.dustDays ?? []).map((d) => ({ day: d.date, area: d.area ?? null, note: d.note, markedBy: d.by, source: 'config' }));
  const dust = [...(await dustDaysBetween(db, last.from, query.to)), ...configured.filter((d) => d.day >= last.from && d.day <= query.to)];
  const origins = await dataOrigins(db, siteIds, { from: endOfNaturalDay(last.from), to: endOfNaturalDay(query.to) });
  return { days, dust, origins };
}

function periodDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The days of the period for the sites: a site's own values, or the area's daily means of its sites. */
function daysOf(context: Context, sites: readonly AirSite[], days: readonly string[]): AssessmentDay[] {
  const perSite = sites.map((s) => days.flatMap((day) => {
    const values = context.days.get(s.id)?.get(day);
    return values === undefined ? [] : [{ day, values }];
  }));
  return sites.length === 1 ? (perSite[0] ?? []) : areaDays(perSite);
}

function figuresOf(context: Context, sites: readonly AirSite[], from: string, to: string): { figures: AirFigures; withoutDust: AirFigures; dustDays: string[] } {
  const days = periodDays(from, to);
  const areas = new Set(sites.map((s) => s.area));
  // A mark without an area applies everywhere; one with an area to that area's sites.
  const dustDays = [...new Set(context.dust.filter((d) => d.day >= from && d.day <= to && (d.area === null || areas.has(d.area))).map((d) => d.day))].sort();
  const required = requiredDays(from, to);
  const values = daysOf(context, sites, days);
  const dust = new Set(dustDays);
  // Without dust days the period has fewer days, and needs that many fewer daily values.
  return {
    figures: airFigures(values, days.length, required),
    withoutDust: airFigures(values.filter((d) => !dust.has(d.day)), days.length - dust.size, Math.max(required - dust.size, 1)),
    dustDays,
  };
}

function assessment(context: Context, sites: readonly AirSite[], who: { site?: string; area?: string; name: string; sites?: string[] }, query: AirAssessQuery, last: { from: string; to: string }): AirAssessment {
  const now = figuresOf(context, sites, query.from, query.to);
  const before = figuresOf(context, sites, last.from, last.to);
  const hasData = (f: AirFigures) => Object.values(f.concentrations).some((c) => c.validCount > 0);
  const previous = hasData(before.figures) ? before.withoutDust : null;
  const { originLabel } = originFields(strongestOrigin(sites.map((s) => context.origins.get(s.id))));
  return {
    ...who,
    ...now.figures,
    from: query.from,
    to: query.to,
    standard: standardOf(query.from, query.to),
    dustDays: now.dustDays,
    withoutDust: now.withoutDust,
    previousYear: {
      from: last.from,
      to: last.to,
      figures: previous,
      // Compared without dust days on both sides, as rankings are. Negative = improved for the composite index and
      // PM2.5; goodRatio is the change in percentage points, positive = improved.
      change: {
        compositeIndex: percentChange(now.withoutDust.compositeIndex, previous?.compositeIndex ?? null),
        pm2_5: percentChange(now.withoutDust.concentrations.pm2_5.value, previous?.concentrations.pm2_5.value ?? null),
        goodRatio: pointChange(now.withoutDust.goodRatio, previous?.goodRatio ?? null),
      },
    },
    originLabel,
  };
}
