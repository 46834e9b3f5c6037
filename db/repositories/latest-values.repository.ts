/**
 * The newest stored hourly value of every series of a set of sites (the hour its watermark points at), with the
 * stored 24-h mean ending at it for the parameters asked for. Read for the console's overview, for every site at
 * once.
 *
 * Nearly every series' newest hour is one of a few recent hours (the hour that just came in, the one before for a
 * station a little behind), so the values of those shared hours are read in one range of `reading_observed_at_idx`
 * (their rows lie together, as they were stored together) instead of one primary-key lookup per series; only the
 * stragglers, series whose newest hour few others share, are looked up by key.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface LatestValue {
  siteId: number;
  parameterId: number;
  latestHour: Date;
  /** Null when the watermark's hour has no hourly reading (its value was withdrawn or stored as another period). */
  value: string | null;
  flag: string | null;
  /** The stored 24-h moving mean ending at `latestHour`; only for `mean24For` parameters, else null. */
  mean24: string | null;
}

/**
 * An hour is read whole when at least this share of the series has it as its newest: reading a whole hour costs
 * every series stored at it, so an hour few of them end at is cheaper looked up series by series.
 */
const SHARED_HOUR_MIN_SHARE = 0.25;

export interface LatestValuesFilter {
  area: string | null;
  kind: string | null;
}

export async function latestValues(db: Kysely<Database>, filter: LatestValuesFilter, mean24For: readonly number[], sharedHourMinShare = SHARED_HOUR_MIN_SHARE): Promise<LatestValue[]> {
  const { area, kind } = filter;
  const { rows: marks } = await sql<{ site_id: number; parameter_id: number; latest_hour: Date }>`
    select w.site_id, w.parameter_id, w.latest_hour from series_watermark w join site s on s.id = w.site_id
    where (${area}::text is null or s.area = ${area}) and (${kind}::text is null or s.kind = ${kind})`.execute(db);
  if (marks.length === 0) return [];

  const perHour = new Map<number, number>();
  for (const m of marks) perHour.set(m.latest_hour.getTime(), (perHour.get(m.latest_hour.getTime()) ?? 0) + 1);
  const shared = [...perHour].filter(([, n]) => n >= sharedHourMinShare * marks.length).map(([hour]) => new Date(hour));
  const sharedSet = new Set(shared.map((h) => h.getTime()));
  const stragglers = marks.filter((m) => !sharedSet.has(m.latest_hour.getTime()));
  const siteIds = [...new Set(marks.map((m) => m.site_id))];
  const wanted = new Set(mean24For);
  const withMean = marks.filter((m) => wanted.has(m.parameter_id));

  const [{ rows: sharedRows }, { rows: stragglerRows }, { rows: means }] = await Promise.all([
    shared.length === 0
      ? Promise.resolve({ rows: [] })
      : sql<ValueRow>`
          select site_id, parameter_id, observed_at, value, flag from reading
          where period = 'hour' and observed_at = any(${shared}::timestamptz[]) and site_id = any(${siteIds}::int[])`.execute(db),
    stragglers.length === 0
      ? Promise.resolve({ rows: [] })
      : sql<ValueRow>`
          select r.site_id, r.parameter_id, r.observed_at, r.value, r.flag
          from unnest(${stragglers.map((m) => m.site_id)}::int[], ${stragglers.map((m) => m.parameter_id)}::smallint[], ${stragglers.map((m) => m.latest_hour)}::timestamptz[]) as k(site_id, parameter_id, observed_at)
          join reading r on r.site_id = k.site_id and r.parameter_id = k.parameter_id and r.period = 'hour' and r.observed_at = k.observed_at`.execute(db),
    withMean.length === 0
      ? Promise.resolve({ rows: [] })
      : sql<{ site_id: number; parameter_id: number; window_end: Date; value: string | null }>`
          select a.site_id, a.parameter_id, a.window_end, a.value
          from unnest(${withMean.map((m) => m.site_id)}::int[], ${withMean.map((m) => m.parameter_id)}::smallint[], ${withMean.map((m) => m.latest_hour)}::timestamptz[]) as k(site_id, parameter_id, window_end)
          join window_aggregate a on a.site_id = k.site_id and a.parameter_id = k.parameter_id and a.kind = '24h' and a.window_end = k.window_end`.execute(db),
  ]);

  const key = (siteId: number, parameterId: number, at: Date) => `${siteId}|${parameterId}|${at.getTime()}`;
  // A shared hour's rows include series whose newest hour is later: only the row at a series' own newest hour counts.
  const values = new Map<string, ValueRow>();
  for (const r of [...sharedRows, ...stragglerRows]) values.set(key(r.site_id, r.parameter_id, r.observed_at), r);
  const meanOf = new Map(means.map((a) => [key(a.site_id, a.parameter_id, a.window_end), a.value]));
  return marks.map((m) => {
    const k = key(m.site_id, m.parameter_id, m.latest_hour);
    const v = values.get(k);
    return { siteId: m.site_id, parameterId: m.parameter_id, latestHour: m.latest_hour, value: v?.value ?? null, flag: v?.flag ?? null, mean24: meanOf.get(k) ?? null };
  });
}

interface ValueRow {
  site_id: number;
  parameter_id: number;
  observed_at: Date;
  value: string | null;
  flag: string | null;
}
