/**
 * One site's page (站点): its valid hourly values over a bounded range (default the last 7 days, at most 31), the
 * stored 24-h and 8-h moving means, the GB 3095 limits by the date of the data (edition 2012 before 2026-03-01,
 * 2026 after) and the site's plan target, or for a water section the GB 3838 class bands and its target class; and
 * the site's natural-day values with the daily AQI. Reads the raw readings of this one site only.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { aggregatesOf } from '../db/repositories/aggregates.repository.ts';
import { hourlyReadings } from '../db/repositories/series.repository.ts';
import { siteByCode, type SiteInfo } from '../db/repositories/site-info.repository.ts';
import { allSiteCodes } from '../db/repositories/site-list.repository.ts';
import { siteParameters } from '../db/repositories/site-parameters.repository.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';
import type { Database } from '../db/schema.ts';
import type { DataOrigin } from '../lib/data-origin.ts';
import { nearMisses } from '../lib/near-miss.ts';
import { BEIJING_OFFSET_MS, DAY_MS, HOUR_MS } from '../lib/time.ts';
import { gb3095Limit, type LimitWindow } from '../standards/air-limits.ts';
import { addDayValue } from '../standards/air-series.ts';
import { dailyAqi, editionForDay, pollutants, type AqiResult, type DailyConcentrations, type Pollutant } from '../standards/aqi.ts';
import { naturalDayOf } from '../standards/natural-day.ts';
import { classLimit, isClassified, sectionClass, waterClasses, type WaterClass } from '../standards/water-class.ts';
import { waterTargetFor } from '../standards/water-target.ts';
import { queryRange, type QueryRange } from './air-queries.ts';

/** The longest range a site page shows (days). */
export const SITE_MAX_RANGE_DAYS = 31;
/** The range shown without one asked for (days). */
export const SITE_DEFAULT_RANGE_DAYS = 7;

/** A horizontal line over part of the range: a limit (one edition's), or the plan target. */
export interface LimitLine {
  kind: 'limit' | 'target';
  value: number;
  /** Shown with the line, e.g. GB 3095-2012 表1 二级 PM2.5 24小时平均 75 μg/m³. */
  label: string;
  from: number;
  to: number;
}

/** A GB 3838 class band of a water parameter: values in [lo, hi] meet the class (DO: at least lo). */
export interface ClassBand {
  cls: WaterClass;
  lo: number;
  hi: number | null;
  direction: '<=' | '>=' | 'range';
}

export interface ParameterSeries {
  parameter: string;
  unit: string;
  /** Valid (flag N) hourly values: [hour end ms, value]. */
  hourly: [number, string][];
  /** Stored moving means ending in the range ('24h', and '8h' for O3); null value where too few hours. */
  means: { window: '8h' | '24h'; points: [number, string | null][] }[];
  lines: LimitLine[];
  bands: ClassBand[];
}

export interface DayRow {
  day: string;
  /** For a day not over (today): the hour its figures reach (ms, an hour end); its AQI and means may still change. */
  until?: number;
  aqi: AqiResult | null;
  values: Partial<Record<Pollutant | 'o3_8h', string>>;
}

export interface WaterSample {
  at: number;
  values: Record<string, string>;
  cls: WaterClass | null;
}

export interface SitePage {
  site: SiteInfo;
  range: QueryRange;
  /** The range as asked for (YYYY-MM-DD), to fill the form and the CSV link. */
  fromText: string;
  toText: string;
  origin: DataOrigin | null;
  series: ParameterSeries[];
  days: DayRow[];
  samples: WaterSample[];
  targetClass: WaterClass | null;
}

export type SitePageResult = { found: true; page: SitePage } | { found: false; code: string; known: string[]; near: string[] };

const waterKinds = new Set(['surface_water', 'drinking_water_source']);

/** Today's date in Beijing (YYYY-MM-DD). */
function beijingDate(instant: number): string {
  return new Date(instant + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The range a request asks for, checked: dates or times, at most 31 days; a bad one throws QueryError (400). */
export function siteRange(params: { from?: string | undefined; to?: string | undefined }, now: Date): { range: QueryRange; fromText: string; toText: string } {
  const toText = params.to?.trim() || beijingDate(now.getTime());
  const fromText = params.from?.trim() || beijingDate(now.getTime() - (SITE_DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  const range = queryRange({ from: fromText, to: toText }, { now, limits: { maxSites: 1, maxRangeDays: SITE_MAX_RANGE_DAYS } });
  return { range, fromText, toText };
}

export async function sitePageQuery(db: Kysely<Database>, config: Pick<AppConfig, 'targets'>, code: string, params: { from?: string | undefined; to?: string | undefined }, now: Date): Promise<SitePageResult> {
  // The range is checked before anything is read: a bad request costs nothing.
  const { range, fromText, toText } = siteRange(params, now);
  const site = await siteByCode(db, code);
  if (!site) {
    const known = await allSiteCodes(db);
    return { found: false, code, known, near: nearMisses(code, known) };
  }
  const params_ = await siteParameters(db, site.id);
  const water = waterKinds.has(site.kind);
  const shown = params_.filter((p) => (site.kind === 'air_station' ? pollutants.includes(p.code as Pollutant) : water ? isClassified(p.code) : true));
  const ids = shown.map((p) => p.id);
  const from = new Date(range.firstHour - HOUR_MS);
  const to = new Date(range.lastHour);
  const [readings, mean24, mean8, origins] = await Promise.all([
    hourlyReadings(db, [site.id], ids, from, to),
    aggregatesOf(db, '24h', [site.id], ids, new Date(range.firstHour), to),
    aggregatesOf(db, '8h', [site.id], shown.filter((p) => p.code === 'o3').map((p) => p.id), new Date(range.firstHour), to),
    dataOrigins(db, [site.id], { from: new Date(range.from - DAY_MS), to: new Date(range.to) }),
  ]);
  const waterBody = site.waterBody === 'lake_reservoir' ? 'lake_reservoir' : 'river';
  const target = water ? waterTargetFor(config.targets, site.code, range.lastHour) : null;
  const series: ParameterSeries[] = shown.map((p) => {
    const hourly = readings.filter((r) => r.parameterId === p.id && r.flag === 'N').map((r): [number, string] => [r.observedAt.getTime(), r.value]);
    const means = [
      ...(p.code === 'o3' ? [{ window: '8h' as const, points: mean8.filter((m) => m.parameterId === p.id).map((m): [number, string | null] => [m.windowEnd.getTime(), m.value]) }] : []),
      ...(site.kind === 'air_station' && p.code !== 'o3' ? [{ window: '24h' as const, points: mean24.filter((m) => m.parameterId === p.id).map((m): [number, string | null] => [m.windowEnd.getTime(), m.value]) }] : []),
    ];
    const lines = site.kind === 'air_station' ? airLines(p.code, range, config.targets, site.code) : water && target ? waterTargetLines(p.code, target.cls, waterBody, range) : [];
    return { parameter: p.code, unit: p.unit, hourly, means, lines, bands: water ? classBands(p.code, waterBody) : [] };
  });
  const days = site.kind === 'air_station' ? await dayRows(db, site.id, shown, range) : [];
  const samples = water ? waterSamples(readings.filter((r) => r.flag === 'N'), new Map(shown.map((p) => [p.id, p.code])), waterBody) : [];
  return { found: true, page: { site, range, fromText, toText, origin: origins.get(site.id) ?? null, series, days, samples, targetClass: target?.cls ?? null } };
}

/**
 * The GB 3095 Grade II limits of the windows shown, split where the edition changes (GB 3095-2026 from the hour
 * ending after 2026-02-28 24:00), and a PM2.5 annual-mean plan target of the site in force at the range's end.
 */
function airLines(parameter: string, range: QueryRange, targets: Pick<AppConfig, 'targets'>['targets'], site: string): LimitLine[] {
  const windows: LimitWindow[] = parameter === 'o3' ? ['1h', '8h'] : ['1h', '24h'];
  const lines: LimitLine[] = [];
  for (const window of windows) {
    let current: LimitLine | null = null;
    for (let t = range.firstHour; t <= range.lastHour; t += HOUR_MS) {
      const limit = gb3095Limit(parameter, window, 2, new Date(t));
      if (limit === null) {
        current = null;
        continue;
      }
      if (current && current.label === limit.clause) current.to = t;
      else {
        current = { kind: 'limit', value: limit.limit, label: limit.clause, from: t, to: t };
        lines.push(current);
      }
    }
  }
  if (parameter === 'pm2_5') {
    const day = beijingDate(range.lastHour - HOUR_MS);
    const target = targets.find((t) => t.indicator === 'pm2_5_annual_mean' && 'site' in t.scope && t.scope.site === site && t.validFrom <= day && t.validTo >= day && t.target.value !== undefined);
    if (target) lines.push({ kind: 'target', value: Number(target.target.value), label: `规划目标 年均 ${target.target.comparator} ${target.target.value} μg/m³（${target.document}${target.clause ? ` ${target.clause}` : ''}）`, from: range.firstHour, to: range.lastHour });
  }
  return lines;
}

function waterTargetLines(parameter: string, cls: WaterClass, waterBody: 'river' | 'lake_reservoir', range: QueryRange): LimitLine[] {
  if (cls === '劣V') return [];
  const limit = classLimit(parameter, cls, waterBody);
  if (!limit || limit.direction === 'range') return [];
  return [{ kind: 'target', value: Number(limit.limit), label: `目标 ${cls}类 ${limit.direction === '>=' ? '≥' : '≤'} ${limit.limit}`, from: range.firstHour, to: range.lastHour }];
}

/** GB 3838-2002 Table 1 as bands: Ⅰ … Ⅴ, then 劣Ⅴ beyond Ⅴ; DO counts down (≥), pH is one range. */
export function classBands(parameter: string, waterBody: 'river' | 'lake_reservoir'): ClassBand[] {
  const first = classLimit(parameter, 'I', waterBody);
  if (!first) return [];
  if (first.direction === 'range') {
    const [lo, hi] = first.limit.split('–').map(Number);
    return [{ cls: 'I', lo: lo ?? 6, hi: hi ?? 9, direction: 'range' }];
  }
  const bands: ClassBand[] = [];
  let previous: number = first.direction === '>=' ? Number.POSITIVE_INFINITY : 0;
  for (const cls of waterClasses) {
    const l = classLimit(parameter, cls, waterBody);
    if (!l) continue;
    const value = Number(l.limit);
    // Classes sharing a limit (COD Ⅰ and Ⅱ are both 15) leave no band of their own: the better class takes it.
    if (value === previous) continue;
    bands.push(first.direction === '>=' ? { cls, lo: value, hi: Number.isFinite(previous) ? previous : null, direction: '>=' } : { cls, lo: previous, hi: value, direction: '<=' });
    previous = value;
  }
  bands.push(first.direction === '>=' ? { cls: '劣V', lo: 0, hi: previous, direction: '>=' } : { cls: '劣V', lo: previous, hi: null, direction: '<=' });
  return bands;
}

/** The natural days of the range with the stored day values and the daily AQI (edition by the day), newest first. */
async function dayRows(db: Kysely<Database>, siteId: number, shown: readonly { id: number; code: string }[], range: QueryRange): Promise<DayRow[]> {
  const ids = new Map(shown.map((p) => [p.id, p.code as Pollutant]));
  const first = beijingDate(range.from);
  const last = beijingDate(range.to - 1);
  const rows = await aggregatesOf(db, 'day', [siteId], [...ids.keys()], new Date(Date.parse(`${first}T00:00:00+08:00`) + DAY_MS), new Date(Date.parse(`${last}T00:00:00+08:00`) + DAY_MS));
  const byDay = new Map<string, { input: DailyConcentrations; values: DayRow['values'] }>();
  for (const r of rows) {
    const day = naturalDayOf(r.windowEnd);
    const entry = byDay.get(day) ?? { input: {}, values: {} };
    byDay.set(day, entry);
    const p = ids.get(r.parameterId);
    if (!p) continue;
    addDayValue(entry.input, p, r);
    if (r.value !== null) entry.values[p === 'o3' ? 'o3_8h' : p] = r.value;
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => b.localeCompare(a))
    .map(([day, e]) => {
      // A natural day ends at 24:00 Beijing time; one the range cuts short (today) is marked with the hour it reaches.
      const end = Date.parse(`${day}T00:00:00+08:00`) + DAY_MS;
      return { day, ...(end > range.lastHour ? { until: range.lastHour } : {}), aqi: dailyAqi(editionForDay(day), e.input), values: e.values };
    });
}

/** The water samples of the range (newest first), each with its section class. */
function waterSamples(readings: readonly { parameterId: number; observedAt: Date; value: string }[], codes: Map<number, string>, waterBody: 'river' | 'lake_reservoir'): WaterSample[] {
  const byTime = new Map<number, Record<string, string>>();
  for (const r of readings) {
    const values = byTime.get(r.observedAt.getTime()) ?? {};
    values[codes.get(r.parameterId) ?? String(r.parameterId)] = r.value;
    byTime.set(r.observedAt.getTime(), values);
  }
  return [...byTime.entries()].sort(([a], [b]) => b - a).map(([at, values]) => ({ at, values, cls: sectionClass(values, waterBody)?.class ?? null }));
}

