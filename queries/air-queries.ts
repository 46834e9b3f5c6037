/**
 * The read side shared by the CLI and the HTTP API: AQI and window statistics computed from stored readings.
 * Parameters arrive as text (command-line options or query strings) and are checked here once.
 */
import type { Kysely } from 'kysely';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import type { Database } from '../db/schema.ts';
import { HOUR_MS } from '../lib/time.ts';
import { dailyAqiOf, hourlyAqiSeries, naturalDays, seriesBySite, windowStatistics, type StatsWindow } from '../standards/air-series.ts';
import { pollutants, type AqiResult } from '../standards/aqi.ts';
import { endOfNaturalDay } from '../standards/natural-day.ts';

/** A request the caller got wrong: the CLI prints it, the API answers 400. */
export class QueryError extends Error {
  override name = 'QueryError';
}

export const statsWindows: readonly StatsWindow[] = ['1h', '8h', '24h', 'day', 'month', 'year'];
/** Hours before the first window end that its statistic needs (the longest is a year of daily values). */
const lookback: Record<StatsWindow, number> = { '1h': 0, '8h': 7, '24h': 23, day: 24, month: 31 * 24, year: 366 * 24 };

export interface RangeParams {
  site?: string;
  from?: string;
  to?: string;
}

function sitesAndRange(params: RangeParams): { sites: string[]; from: Date; to: Date } {
  const sites = (params.site ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (sites.length === 0) throw new QueryError('site CODE[,CODE…] is required');
  const from = new Date(params.from ?? '');
  const to = new Date(params.to ?? '');
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) throw new QueryError('from and to must be ISO times with from before to');
  if (to.getTime() - from.getTime() > 400 * 24 * HOUR_MS) throw new QueryError('from and to may be at most 400 days apart');
  return { sites, from, to };
}

/** Beijing wall-clock time with its offset, e.g. 2016-03-01T10:00:00+08:00. */
export function beijingIso(instant: Date): string {
  return new Date(instant.getTime() + 8 * HOUR_MS).toISOString().slice(0, 19) + '+08:00';
}

export interface AqiRow {
  site: string;
  time: string;
  aqi: number | null;
  category: string | null;
  primaryPollutants: string[];
  iaqi: AqiResult['iaqi'];
  standard: string;
}

function aqiRow(site: string, time: string, r: AqiResult): AqiRow {
  return { site, time, aqi: r.aqi, category: r.category?.nameZh ?? null, primaryPollutants: r.primaryPollutants, iaqi: r.iaqi, standard: r.standard };
}

/** Hourly AQI per hour end in (from, to], or with `daily` per natural day ending in it. */
export async function aqiQuery(db: Kysely<Database>, params: RangeParams & { daily?: boolean }): Promise<AqiRow[]> {
  const { sites, from, to } = sitesAndRange(params);
  const days = params.daily ? naturalDays(from, to) : [];
  // A day needs all of its hours: read from the start of the first day.
  const readFrom = params.daily && days[0] ? new Date(endOfNaturalDay(days[0]).getTime() - 24 * HOUR_MS) : from;
  const series = seriesBySite(await hourlyValues(db, sites, pollutants, readFrom, to));
  return sites.flatMap((site) => {
    const s = series.get(site) ?? new Map<string, Map<number, string>>();
    if (params.daily) return days.map((day) => aqiRow(site, day, dailyAqiOf(s, day)));
    const ends: number[] = [];
    for (let t = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS; t <= to.getTime(); t += HOUR_MS) ends.push(t);
    return hourlyAqiSeries(s, ends).map(({ time, result }) => aqiRow(site, beijingIso(time), result));
  });
}

export interface StatsRow {
  site: string;
  parameter: string;
  time: string;
  value: string | null;
  validCount: number;
  valid: boolean;
}

export async function statsQuery(db: Kysely<Database>, params: RangeParams & { parameter?: string; window?: string }): Promise<StatsRow[]> {
  const { sites, from, to } = sitesAndRange(params);
  const parameter = params.parameter ?? '';
  if (!parameter) throw new QueryError('parameter is required');
  const window = params.window as StatsWindow;
  if (!statsWindows.includes(window)) throw new QueryError(`window must be one of ${statsWindows.join(', ')}`);
  const series = seriesBySite(await hourlyValues(db, sites, [parameter], new Date(from.getTime() - lookback[window] * HOUR_MS), to));
  return sites.flatMap((site) =>
    windowStatistics(series.get(site) ?? new Map<string, Map<number, string>>(), parameter, window, from, to).map((w) => ({
      site,
      parameter,
      time: beijingIso(w.time),
      value: w.value,
      validCount: w.validCount,
      valid: w.valid,
    })),
  );
}
