/**
 * 8- and 24-hour moving means are stored (`window_aggregate`) only for a recent horizon of each series: the window
 * ends in (watermark − STORED_MOVING_HOURS, watermark], where the watermark is the series' newest stored hour. That
 * is what the evaluation of new data and the console read again and again; older ones are computed on demand from
 * the readings, by the same GB 3095 Table 4 rules and in the same form as the stored rows. Storing every hour's two
 * means for the whole history made `window_aggregate` twice the size of `reading` and a bulk import pay for two
 * rows written per reading; days, months and years stay stored for the whole history (one row a day).
 *
 * The horizon moves with the watermark: the refresh that advances it deletes the windows that fell out of it
 * (aggregates.repository.ts), so the stored rows are always exactly those of the horizon, whatever order the data
 * arrived in.
 */
import { sql, type Kysely } from 'kysely';
import { HOUR_MS } from '../../lib/time.ts';
import { publishedDigits } from '../../standards/air-statistics.ts';
import type { Database } from '../schema.ts';
import { AIR_VALIDITY } from '../../standards/air-statistics.ts';

/** Hours before a series' newest one whose moving windows are stored: a week (the console's default chart span). */
export const STORED_MOVING_HOURS = 7 * 24;

export type MovingKind = '8h' | '24h';

/** GB 3095-2012 Table 4 (standards/air-statistics.ts): the valid hours an 8-h and a 24-h mean need. */
const MOVING: Record<MovingKind, { hours: number; minimum: number }> = { '8h': { hours: 8, minimum: AIR_VALIDITY.hoursPer8h }, '24h': { hours: 24, minimum: AIR_VALIDITY.hoursPerDay } };

/** The first window end a series with this watermark keeps stored. */
export const firstStoredEnd = (watermark: number): number => watermark - STORED_MOVING_HOURS * HOUR_MS + HOUR_MS;

export interface SeriesWatermark {
  siteId: number;
  parameterId: number;
  parameter: string;
  watermark: number;
}

/** Watermarks of the series of some sites and parameters that have one, with their parameter codes. */
export async function seriesWatermarksOf(db: Kysely<Database>, siteIds: readonly number[], parameterIds: readonly number[]): Promise<SeriesWatermark[]> {
  const { rows } = await sql<{ site_id: number; parameter_id: number; code: string; latest_hour: Date }>`
    select w.site_id, w.parameter_id, p.code, w.latest_hour
    from series_watermark w join parameter p on p.id = w.parameter_id
    where w.site_id = any(${[...siteIds]}::int[]) and w.parameter_id = any(${[...parameterIds]}::int[])`.execute(db);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, parameter: r.code, watermark: r.latest_hour.getTime() }));
}

export interface ComputedWindow {
  siteId: number;
  parameterId: number;
  windowEnd: Date;
  sum: string;
  validCount: number;
  value: string | null;
}

/**
 * Moving windows of `kind` ending in [from, to] (hour ends, in ms) for each range, computed from the readings: one
 * dense hourly grid per range with the hours before it, sums by window functions. Only windows holding at least one
 * valid hour exist, as for stored ones.
 */
export async function computeMovingWindows(db: Kysely<Database>, kind: MovingKind, ranges: readonly { siteId: number; parameterId: number; parameter: string; from: number; to: number }[]): Promise<ComputedWindow[]> {
  const list = ranges.filter((r) => r.from <= r.to);
  if (list.length === 0) return [];
  const { hours, minimum } = MOVING[kind];
  const { rows } = await sql<{ site_id: number; parameter_id: number; window_end: Date; sum: string; valid_count: number; value: string | null }>`
    with r as (
      select * from unnest(${list.map((r) => r.siteId)}::int[], ${list.map((r) => r.parameterId)}::int[], ${list.map((r) => publishedDigits(r.parameter))}::int[],
                           ${list.map((r) => new Date(r.from))}::timestamptz[], ${list.map((r) => new Date(r.to))}::timestamptz[])
        as r(site_id, parameter_id, digits, end_from, end_to)
    ), grid as (
      select r.site_id, r.parameter_id, r.digits, r.end_from, h
      from r cross join lateral generate_series(r.end_from - make_interval(hours => ${hours - 1}), r.end_to, interval '1 hour') h
    ), vals as (
      select r.site_id, r.parameter_id, r.end_from, rd.observed_at, rd.value
      from r join lateral (
        select observed_at, value from reading rd
        where rd.site_id = r.site_id and rd.parameter_id = r.parameter_id and rd.period = 'hour' and rd.flag = 'N'
          and rd.observed_at > r.end_from - make_interval(hours => ${hours}) and rd.observed_at <= r.end_to
      ) rd on true
    ), moving as (
      select g.site_id, g.parameter_id, g.digits, g.end_from, g.h, sum(v.value) over w as s, count(v.value) over w as n
      from grid g left join vals v on v.site_id = g.site_id and v.parameter_id = g.parameter_id and v.end_from = g.end_from and v.observed_at = g.h
      window w as (partition by g.site_id, g.parameter_id, g.end_from order by g.h rows between ${sql.raw(String(hours - 1))} preceding and current row)
    )
    select site_id, parameter_id, h as window_end, s as sum, n::int as valid_count,
           case when n >= ${minimum} then envmon_round_half_even(s, n, digits) end as value
    from moving where h >= end_from and n > 0
    order by site_id, parameter_id, h`.execute(db);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value }));
}

/**
 * The ranges of ends in [from, to] that lie before each series' stored horizon: those `aggregatesOf` computes. Ends
 * are whole hours.
 */
export function rangesBeforeHorizon(series: readonly SeriesWatermark[], from: number, to: number): { siteId: number; parameterId: number; parameter: string; from: number; to: number }[] {
  const first = Math.ceil(from / HOUR_MS) * HOUR_MS;
  return series.map((s) => ({ siteId: s.siteId, parameterId: s.parameterId, parameter: s.parameter, from: first, to: Math.min(Math.floor(to / HOUR_MS) * HOUR_MS, firstStoredEnd(s.watermark) - HOUR_MS) })).filter((r) => r.from <= r.to);
}
