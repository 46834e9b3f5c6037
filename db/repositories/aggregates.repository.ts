/**
 * Incremental rolling aggregates (table `window_aggregate`): refreshed for exactly the windows that new, late or
 * revised hourly values touch (see standards/aggregate-windows.ts), each from its own few stored inputs — moving
 * windows and days from the readings of their hours, months from their days, years from their months. Never a
 * rescan of a series' history. Moving windows are stored only within each series' recent horizon and computed from
 * the readings when older ones are read (moving-windows.repository.ts); days, months and years for all time.
 *
 * Definitions follow GB 3095-2012 Table 4 and HJ 663-2013, as standards/air-statistics.ts computes them (its
 * constants are written into the SQL by db/air-validity-sql.ts): a moving 8-h mean needs 6 valid hours, a 24-h mean
 * and a day 20; the O3 day value is the largest valid 8-h mean ending 08:00 … 24:00; months and years average the
 * valid daily values. Only values flagged N count.
 */
import { sql, type Kysely } from 'kysely';
import { affectedWindows, dayEndOf, monthPeriod, yearPeriod, type AffectedWindows, type HourSpan, type Period } from '../../standards/aggregate-windows.ts';
import { naturalDayOf } from '../../standards/natural-day.ts';
import { publishedDigits } from '../../standards/air-statistics.ts';
import { HOURS_PER_8H, HOURS_PER_DAY, O3_FIRST_WINDOW_BEFORE_DAY_END, O3_FIRST_WINDOW_END_HOUR } from '../air-validity-sql.ts';
import type { AggregateKind, Database } from '../schema.ts';
import { pushTo } from '../../lib/collections.ts';
import { DAY_MS } from '../../lib/time.ts';
import { computeMovingWindows, firstStoredEnd, rangesBeforeHorizon, seriesWatermarksOf, STORED_MOVING_HOURS, type SeriesWatermark } from './moving-windows.repository.ts';

export interface SeriesKey {
  siteId: number;
  parameterId: number;
  /** Parameter code: decides the published precision and the O3 day rule. */
  parameter: string;
}

export interface SeriesChange extends SeriesKey {
  /** Hour ends in (from, to] whose values were stored or revised. */
  spans: HourSpan[];
  /** The newest hour end among them. */
  latest: number;
}

export interface RefreshedSeries extends SeriesKey {
  windows: AffectedWindows;
  /** The series' newest hour before this change (null for a new series): data at earlier times arrived late. */
  previousWatermark: number | null;
  /** Its newest hour after it. */
  watermark: number;
}

/**
 * Every refresh writes windows the same way: a window whose figures did not change is left alone (no rewrite, its
 * updated_at kept). Moving windows, months and years carry no max_hour / hour_count: both stay null.
 */
const upsertWindow = sql`
  on conflict (site_id, parameter_id, kind, window_end) do update
    set sum = excluded.sum, valid_count = excluded.valid_count, value = excluded.value, max_hour = excluded.max_hour, hour_count = excluded.hour_count, updated_at = now()
    where (w.sum, w.valid_count, w.value, w.max_hour, w.hour_count) is distinct from (excluded.sum, excluded.valid_count, excluded.value, excluded.max_hour, excluded.hour_count)`;

/**
 * Serialises the evaluation of sites until the caller's transaction ends: their windows, watermarks, pending marks
 * and alerts. Two workers never interleave on one site. Taken in site order, so two callers cannot deadlock.
 */
export async function lockSites(trx: Kysely<Database>, siteIds: readonly number[]): Promise<void> {
  const sorted = [...new Set(siteIds)].sort((a, b) => a - b);
  if (sorted.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext('envmon_aggregate'), s) from unnest(${sorted}::int[]) s order by s`.execute(trx);
}

/** `lockSites` without waiting: returns the sites locked; a site another transaction holds is left out. */
export async function tryLockSites(trx: Kysely<Database>, siteIds: readonly number[]): Promise<number[]> {
  const sorted = [...new Set(siteIds)].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const { rows } = await sql<{ s: number }>`select s from unnest(${sorted}::int[]) s where pg_try_advisory_xact_lock(hashtext('envmon_aggregate'), s)`.execute(trx);
  return rows.map((r) => r.s);
}

/** Refreshes every window the changes touch, in the caller's transaction, and says which those were. */
export async function refreshAggregates(trx: Kysely<Database>, changes: readonly SeriesChange[]): Promise<RefreshedSeries[]> {
  if (changes.length === 0) return [];
  await lockSites(trx, changes.map((c) => c.siteId));
  const watermarks = await advanceWatermarks(trx, changes);
  const refreshed = changes.map((c) => {
    const w = watermarks.get(`${c.siteId}|${c.parameterId}`);
    const previousWatermark = w?.old ?? null;
    const watermark = w?.latest ?? c.latest;
    return { siteId: c.siteId, parameterId: c.parameterId, parameter: c.parameter, previousWatermark, watermark, windows: affectedWindows(c.spans, previousWatermark, watermark) };
  });
  // Series whose day values changed: only their months and years can have changed.
  const changedDays = new Set<string>();
  const deltas: DayDelta[] = [];
  const daysDone = await refreshMoving(trx, refreshed, changedDays, deltas);
  // Before any month or year is recomputed from its days below: a recomputation supersedes the delta.
  await applyDayDeltas(trx, deltas);
  await refreshDays(trx, refreshed, daysDone, changedDays);
  const periods = refreshed.filter((r) => changedDays.has(`${r.siteId}|${r.parameterId}`));
  await refreshPeriods(trx, periods, 'month');
  await refreshPeriods(trx, periods, 'year');
  return refreshed;
}

/** The watermarks the changes advance; the moving windows that leave the stored horizon go. */
async function advanceWatermarks(trx: Kysely<Database>, changes: readonly SeriesChange[]): Promise<Map<string, { old: number | null; latest: number }>> {
  const horizon = sql`make_interval(hours => ${STORED_MOVING_HOURS})`;
  // The moving windows the advance pushed out of the stored horizon (moving-windows.repository.ts). One delete per
  // kind, its kind a constant: the primary key (site, parameter, kind, end) then bounds the scan by both ends, where
  // "kind in ('8h', '24h')" left the kind a filter and every stored day, month and year of the series was read, a
  // scan growing with the series' history.
  const prune = (kind: '8h' | '24h') => sql`
      delete from window_aggregate wa using upserted u join previous p using (site_id, parameter_id)
      where wa.site_id = u.site_id and wa.parameter_id = u.parameter_id and wa.kind = ${kind} and p.old < u.latest_hour
        and wa.window_end > p.old - ${horizon} and wa.window_end <= u.latest_hour - ${horizon}`;
  const { rows } = await sql<{ site_id: number; parameter_id: number; old: Date | null; latest_hour: Date }>`
    with input as (
      select * from unnest(${changes.map((c) => c.siteId)}::int[], ${changes.map((c) => c.parameterId)}::int[], ${changes.map((c) => new Date(c.latest))}::timestamptz[])
        as i(site_id, parameter_id, latest)
    ), previous as (
      select i.site_id, i.parameter_id, w.latest_hour as old
      from input i left join series_watermark w on w.site_id = i.site_id and w.parameter_id = i.parameter_id
    ), upserted as (
      insert into series_watermark as w (site_id, parameter_id, latest_hour)
      select site_id, parameter_id, latest from input
      on conflict (site_id, parameter_id) do update set latest_hour = greatest(w.latest_hour, excluded.latest_hour)
      returning w.site_id, w.parameter_id, w.latest_hour
    ), pruned_8h as (${prune('8h')}
    ), pruned_24h as (${prune('24h')}
    )
    select u.site_id, u.parameter_id, p.old, u.latest_hour from upserted u join previous p using (site_id, parameter_id)`.execute(trx);
  return new Map(rows.map((r) => [`${r.site_id}|${r.parameter_id}`, { old: r.old ? r.old.getTime() : null, latest: r.latest_hour.getTime() }]));
}

/**
 * 8- and 24-hour moving means ending in each range. A range of one hour — new data at the tip, the usual case — is
 * computed directly from the 24 readings before it, together with every other series ending at the same hour;
 * longer ranges (late data, a gap closing) from a dense hourly grid of the range and the 23 hours before.
 */
async function refreshMoving(trx: Kysely<Database>, series: readonly RefreshedSeries[], changedDays: Set<string>, deltas: DayDelta[]): Promise<Set<string>> {
  const ranges = series.flatMap((s) => s.windows.moving.map(([first, last]) => ({ s, first, last })));
  const byEnd = new Map<number, RefreshedSeries[]>();
  const daysDone = new Set<string>();
  for (const r of ranges) {
    // A one-hour range exists only at a series' newest hour (standards/aggregate-windows.ts).
    if (r.first !== r.last) continue;
    pushTo(byEnd, r.first, r.s);
    daysDone.add(`${r.s.siteId}|${r.s.parameterId}|${dayEndOf(r.first)}`);
  }
  for (const [end, list] of byEnd) {
    const parameters = new Map(list.map((x) => [`${x.siteId}|${x.parameterId}`, x.parameter]));
    for (const d of await refreshMovingAt(trx, list, end)) {
      // A day still there changes its month and year by its own change; a day gone (every value revised to an
      // invalid flag) may leave its month without days: that month is recomputed from what is left.
      if (d.n > 0) deltas.push({ siteId: d.site_id, parameterId: d.parameter_id, parameter: parameters.get(`${d.site_id}|${d.parameter_id}`) ?? '', dayEnd: d.window_end.getTime(), before: d.before, after: d.after });
      else changedDays.add(`${d.site_id}|${d.parameter_id}`);
    }
  }
  // Longer ranges are stored only within the series' horizon; windows before it are computed when read.
  const rows = ranges.filter((r) => r.first !== r.last).map((r) => ({ ...r, first: Math.max(r.first, firstStoredEnd(r.s.watermark)) })).filter((r) => r.first <= r.last);
  if (rows.length === 0) return daysDone;
  const empty = await sql<EmptyWindow>`
    with r as (
      select * from unnest(${rows.map((r) => r.s.siteId)}::int[], ${rows.map((r) => r.s.parameterId)}::int[], ${rows.map((r) => publishedDigits(r.s.parameter))}::int[],
                           ${rows.map((r) => new Date(r.first))}::timestamptz[], ${rows.map((r) => new Date(r.last))}::timestamptz[])
        as r(site_id, parameter_id, digits, end_from, end_to)
    ), grid as (
      select r.site_id, r.parameter_id, r.digits, r.end_from, h
      from r cross join lateral generate_series(r.end_from - interval '23 hours', r.end_to, interval '1 hour') h
    ), vals as (
      select r.site_id, r.parameter_id, rd.observed_at, rd.value
      from r join lateral (
        select observed_at, value from reading rd
        where rd.site_id = r.site_id and rd.parameter_id = r.parameter_id and rd.period = 'hour' and rd.flag = 'N'
          and rd.observed_at > r.end_from - interval '24 hours' and rd.observed_at <= r.end_to
      ) rd on true
    ), moving as (
      select g.site_id, g.parameter_id, g.digits, g.end_from, g.h,
             sum(v.value) over w8 as s8, count(v.value) over w8 as n8, sum(v.value) over w24 as s24, count(v.value) over w24 as n24
      from grid g left join vals v on v.site_id = g.site_id and v.parameter_id = g.parameter_id and v.observed_at = g.h
      window w8 as (partition by g.site_id, g.parameter_id, g.end_from order by g.h rows between 7 preceding and current row),
             w24 as (partition by g.site_id, g.parameter_id, g.end_from order by g.h rows between 23 preceding and current row)
    ), computed as (
      select site_id, parameter_id, '8h' as kind, h as window_end, s8 as s, n8::int as n, case when n8 >= ${HOURS_PER_8H} then envmon_round_half_even(s8, n8, digits) end as v
      from moving where h >= end_from
      union all
      select site_id, parameter_id, '24h', h, s24, n24::int, case when n24 >= ${HOURS_PER_DAY} then envmon_round_half_even(s24, n24, digits) end
      from moving where h >= end_from
    ), upserted as (
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value)
      select site_id, parameter_id, kind, window_end, s, n, v from computed where n > 0
      ${upsertWindow}
    )
    select site_id, parameter_id, kind::text as kind, window_end from computed where n = 0`.execute(trx);
  await deleteWindows(trx, empty.rows);
  return daysDone;
}

/**
 * The 8- and 24-hour windows of many series ending at one hour — the newest of each series — and the natural day
 * holding it, from the same 24 readings: with no later data, the day's hours are among them. The O3 day takes the
 * best of its stored 8-h means and the new one.
 */
async function refreshMovingAt(trx: Kysely<Database>, series: readonly SeriesKey[], end: number): Promise<TipDayOutcome[]> {
  const at = new Date(end);
  const dayEnd = new Date(dayEndOf(end));
  const empty = await sql<TipDayOutcome>`
    with s as (
      select * from unnest(${series.map((x) => x.siteId)}::int[], ${series.map((x) => x.parameterId)}::int[], ${series.map((x) => publishedDigits(x.parameter))}::int[], ${series.map((x) => x.parameter === 'o3')}::boolean[])
        as s(site_id, parameter_id, digits, is_o3)
    ), sums as (
      -- One primary-key range scan per series (site, parameter, period, time): far cheaper than a scan by time.
      select s.site_id, s.parameter_id, s.digits, s.is_o3, x.* from s cross join lateral (
        select sum(rd.value) as s24, count(*)::int as n24,
               sum(rd.value) filter (where rd.observed_at > ${at}::timestamptz - interval '8 hours') as s8,
               count(*) filter (where rd.observed_at > ${at}::timestamptz - interval '8 hours')::int as n8,
               sum(rd.value) filter (where rd.observed_at > ${dayEnd}::timestamptz - interval '24 hours') as sd,
               count(*) filter (where rd.observed_at > ${dayEnd}::timestamptz - interval '24 hours')::int as nd,
               max(rd.value) filter (where rd.observed_at > ${dayEnd}::timestamptz - interval '24 hours') as mxd
        from reading rd
        where rd.site_id = s.site_id and rd.parameter_id = s.parameter_id and rd.period = 'hour' and rd.flag = 'N'
          and rd.observed_at > ${at}::timestamptz - interval '24 hours' and rd.observed_at <= ${at}::timestamptz
      ) x
    ), computed as (
      select site_id, parameter_id, '8h' as kind, coalesce(s8, 0) as sm, n8 as n, case when n8 >= ${HOURS_PER_8H} then envmon_round_half_even(s8, n8, digits) end as v from sums
      union all
      select site_id, parameter_id, '24h', coalesce(s24, 0), n24, case when n24 >= ${HOURS_PER_DAY} then envmon_round_half_even(s24, n24, digits) end from sums
    ), day as (
      -- The O3 day: its 8-h means ending 08:00 … 24:00 (GB 3095 Table 4) — those stored before, and the new one.
      select x.site_id, x.parameter_id, x.nd as n, x.mxd as mx,
             case when x.is_o3 then null else x.sd end as sm,
             case when x.is_o3 then o.windows + (case when w8.v is null then 0 else 1 end) else x.nd end as valid_count,
             case when x.is_o3 then greatest(o.best, w8.v) when x.nd >= ${HOURS_PER_DAY} then envmon_round_half_even(x.sd, x.nd, x.digits) end as v
      from sums x
      join computed w8 on w8.site_id = x.site_id and w8.parameter_id = x.parameter_id and w8.kind = '8h'
                      and ${at}::timestamptz >= ${dayEnd}::timestamptz - ${O3_FIRST_WINDOW_BEFORE_DAY_END}
      cross join lateral (
        select max(wa.value) as best, count(wa.value)::int as windows from window_aggregate wa
        where x.is_o3 and wa.site_id = x.site_id and wa.parameter_id = x.parameter_id and wa.kind = '8h'
          and wa.window_end >= ${dayEnd}::timestamptz - ${O3_FIRST_WINDOW_BEFORE_DAY_END} and wa.window_end < ${at}::timestamptz
      ) o
      union all
      select x.site_id, x.parameter_id, x.nd, x.mxd, case when x.is_o3 then null else x.sd end,
             case when x.is_o3 then 0 else x.nd end,
             case when x.is_o3 then null when x.nd >= ${HOURS_PER_DAY} then envmon_round_half_even(x.sd, x.nd, x.digits) end
      from sums x where ${at}::timestamptz < ${dayEnd}::timestamptz - ${O3_FIRST_WINDOW_BEFORE_DAY_END}
    ), moving_upserted as (
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value)
      select site_id, parameter_id, kind, ${at}::timestamptz, sm, n, v from computed where n > 0
      ${upsertWindow}
    ), day_upserted as (
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value, max_hour, hour_count)
      select site_id, parameter_id, 'day', ${dayEnd}::timestamptz, sm, valid_count, v, mx, n from day where n > 0
      ${upsertWindow}
    )
    select 'empty' as what, site_id, parameter_id, kind::text as kind, ${at}::timestamptz as window_end, 0 as n, null::numeric as before, null::numeric as after from computed where n = 0
    union all
    select 'empty', site_id, parameter_id, 'day', ${dayEnd}::timestamptz, 0, null, null from day where n = 0
    union all
    select 'changed', d.site_id, d.parameter_id, 'day', ${dayEnd}::timestamptz, d.n, p.value, d.v from day d
    left join window_aggregate p on p.site_id = d.site_id and p.parameter_id = d.parameter_id and p.kind = 'day' and p.window_end = ${dayEnd}::timestamptz
    where ${dayChanged}`.execute(trx);
  await deleteWindows(trx, empty.rows.filter((r) => r.what === 'empty'));
  return empty.rows.filter((r) => r.what === 'changed');
}

/**
 * Natural days from their 24 hourly values; the O3 day from its 8-h means ending 08:00 … 24:00, computed here from
 * the readings (8-h means before the stored horizon are not stored). A series' days come as runs of consecutive days,
 * all in one statement: one range scan of the readings per run, however long (a bulk import's year is one run).
 */
async function refreshDays(trx: Kysely<Database>, series: readonly RefreshedSeries[], done: ReadonlySet<string>, changedDays: Set<string>): Promise<void> {
  const runs: { s: RefreshedSeries; from: number; to: number }[] = [];
  for (const s of series) {
    let run: { s: RefreshedSeries; from: number; to: number } | null = null;
    for (const end of s.windows.days) {
      if (done.has(`${s.siteId}|${s.parameterId}|${end}`)) continue;
      if (run && end === run.to + DAY_MS) run.to = end;
      else runs.push((run = { s, from: end, to: end }));
    }
  }
  if (runs.length === 0) return;
  // A bulk import's days: the O3 grid's window sorts in memory, not on disk (as the recomputation does).
  if (runs.reduce((n, r) => n + (r.to - r.from) / DAY_MS + 1, 0) > 2_000) await sql`set local work_mem = '64MB'`.execute(trx);
  // The natural day (01:00 … 24:00 Beijing, UTC+8) an hour-ending time falls in, as its end: shift by 8 h less the
  // hour's own, take the date, and 24:00 Beijing is 16:00 UTC.
  const dayEnd = (t: ReturnType<typeof sql>) => sql`(((${t} at time zone 'UTC') + interval '7 hours')::date + interval '16 hours') at time zone 'UTC'`;
  const { rows } = await sql<DayOutcome>`
    with r as (
      select * from unnest(${runs.map((r) => r.s.siteId)}::int[], ${runs.map((r) => r.s.parameterId)}::int[], ${runs.map((r) => publishedDigits(r.s.parameter))}::int[],
                           ${runs.map((r) => r.s.parameter === 'o3')}::boolean[], ${runs.map((r) => new Date(r.from))}::timestamptz[], ${runs.map((r) => new Date(r.to))}::timestamptz[],
                           ${runs.map((r) => new Date(r.s.watermark))}::timestamptz[])
        as r(site_id, parameter_id, digits, is_o3, day_from, day_to, watermark)
    ), hours as (
      -- Grouped inside each run's own range scan: a few hundred groups at a time, never a sort of all the hours.
      select r.site_id, r.parameter_id, r.digits, r.is_o3, x.day_end, x.s, x.n, x.mx
      from r cross join lateral (
        select ${dayEnd(sql`rd.observed_at`)} as day_end, sum(rd.value) as s, count(*)::int as n, max(rd.value) as mx
        from reading rd
        where rd.site_id = r.site_id and rd.parameter_id = r.parameter_id and rd.period = 'hour' and rd.flag = 'N'
          and rd.observed_at > r.day_from - interval '24 hours' and rd.observed_at <= r.day_to
        group by 1
      ) x
    ), o3_moving as (
      -- The O3 day's 8-h means on a dense hourly grid of its runs (a window may lack its own end hour), up to the
      -- series' newest hour: no window ends after it yet.
      select g.site_id, g.parameter_id, g.digits, g.h, sum(v.value) over w as s8, count(v.value) over w as n8
      from (select r.site_id, r.parameter_id, r.digits, r.day_from, h from r cross join lateral generate_series(r.day_from - interval '23 hours', least(r.day_to, r.watermark), interval '1 hour') h where r.is_o3) g
      left join (
        select r.site_id, r.parameter_id, r.day_from, rd.observed_at, rd.value from r join lateral (
          select observed_at, value from reading rd
          where rd.site_id = r.site_id and rd.parameter_id = r.parameter_id and rd.period = 'hour' and rd.flag = 'N'
            and rd.observed_at > r.day_from - interval '24 hours' and rd.observed_at <= r.day_to
        ) rd on true where r.is_o3
      ) v on v.site_id = g.site_id and v.parameter_id = g.parameter_id and v.day_from = g.day_from and v.observed_at = g.h
      window w as (partition by g.site_id, g.parameter_id, g.day_from order by g.h rows between 7 preceding and current row)
    ), o3_days as (
      select site_id, parameter_id, ${dayEnd(sql`h`)} as day_end,
             max(envmon_round_half_even(s8, n8, digits)) filter (where n8 >= ${HOURS_PER_8H}) as best, count(*) filter (where n8 >= ${HOURS_PER_8H})::int as windows
      from o3_moving where extract(hour from (h at time zone 'UTC') + interval '7 hours') + 1 >= ${O3_FIRST_WINDOW_END_HOUR}
      group by 1, 2, 3
    ), computed as (
      select h.site_id, h.parameter_id, h.day_end, h.n, h.mx,
             case when h.is_o3 then null else h.s end as s,
             case when h.is_o3 then coalesce(o.windows, 0) else h.n end as valid_count,
             case when h.is_o3 then o.best when h.n >= ${HOURS_PER_DAY} then envmon_round_half_even(h.s, h.n, h.digits) end as v
      from hours h left join o3_days o using (site_id, parameter_id, day_end)
    ), existing as (
      select wa.site_id, wa.parameter_id, wa.window_end, wa.value from window_aggregate wa
      join r on wa.site_id = r.site_id and wa.parameter_id = r.parameter_id and wa.kind = 'day' and wa.window_end >= r.day_from and wa.window_end <= r.day_to
    ), upserted as (
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value, max_hour, hour_count)
      select site_id, parameter_id, 'day', day_end, s, valid_count, v, mx, n from computed
      ${upsertWindow}
    )
    -- Days left without a valid hour go; a day that appears, goes or changes its value changes its month and year.
    select 'empty' as what, e.site_id, e.parameter_id, 'day'::text as kind, e.window_end from existing e
    where not exists (select 1 from computed c where c.site_id = e.site_id and c.parameter_id = e.parameter_id and c.day_end = e.window_end)
    union all
    select 'changed', c.site_id, c.parameter_id, 'day', c.day_end from computed c
    left join existing p on p.site_id = c.site_id and p.parameter_id = c.parameter_id and p.window_end = c.day_end
    where p.site_id is null or p.value is distinct from c.v`.execute(trx);
  await deleteWindows(trx, rows.filter((r) => r.what === 'empty'));
  for (const d of rows) changedDays.add(`${d.site_id}|${d.parameter_id}`);
}

/** Months from their day rows; years from their month rows (the same valid daily values, summed once more). */
async function refreshPeriods(trx: Kysely<Database>, series: readonly RefreshedSeries[], kind: 'month' | 'year'): Promise<void> {
  const rows = series.flatMap((s) => (kind === 'month' ? s.windows.months : s.windows.years).map((p) => ({ s, p })));
  if (rows.length === 0) return;
  const source: AggregateKind = kind === 'month' ? 'day' : 'month';
  const empty = await sql<EmptyWindow>`
    with p as (
      select * from unnest(${rows.map((r) => r.s.siteId)}::int[], ${rows.map((r) => r.s.parameterId)}::int[], ${rows.map((r) => publishedDigits(r.s.parameter))}::int[],
                           ${rows.map((r) => new Date(r.p.from))}::timestamptz[], ${rows.map((r) => new Date(r.p.to))}::timestamptz[], ${rows.map((r) => r.p.minimum)}::int[])
        as p(site_id, parameter_id, digits, period_from, period_to, minimum)
    ), computed as (
      select p.site_id, p.parameter_id, p.period_to, p.digits, p.minimum, x.s, x.n, x.parts
      from p cross join lateral (
        select ${kind === 'month' ? sql`sum(value)` : sql`sum(sum)`} as s,
               ${kind === 'month' ? sql`count(value)::int` : sql`sum(valid_count)::int`} as n,
               count(*)::int as parts
        from window_aggregate wa
        where wa.site_id = p.site_id and wa.parameter_id = p.parameter_id and wa.kind = ${source}
          and wa.window_end > p.period_from and wa.window_end <= p.period_to
      ) x
    ), upserted as (
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value)
      select site_id, parameter_id, ${kind}, period_to, coalesce(s, 0), coalesce(n, 0), case when n >= minimum then envmon_round_half_even(s, n, digits) end
      from computed where parts > 0
      ${upsertWindow}
    )
    select site_id, parameter_id, ${kind}::text as kind, period_to as window_end from computed where parts = 0`.execute(trx);
  await deleteWindows(trx, empty.rows);
}

interface EmptyWindow {
  site_id: number;
  parameter_id: number;
  kind: string;
  window_end: Date;
}

/**
 * A month (and so a year) changes only when a day's published value changes, or a day appears or disappears:
 * compared with the stored row, which the statement still sees as it was (a snapshot taken before its writes).
 */
const dayChanged = sql`(p.site_id is null and d.n > 0) or (p.site_id is not null and d.n = 0) or (d.n > 0 and p.value is distinct from d.v)`;

/** What a day refresh reports: windows left empty, and days whose value (or existence) changed. */
interface DayOutcome extends EmptyWindow {
  what: 'empty' | 'changed';
}

/** A day refreshed at a series' newest hour also says its valid hours and its value before and after. */
interface TipDayOutcome extends DayOutcome {
  n: number;
  before: string | null;
  after: string | null;
}

/** The change of one day's value, which its month and year take over. */
interface DayDelta extends SeriesKey {
  dayEnd: number;
  before: string | null;
  after: string | null;
}

/**
 * Months and years by the change of one of their days: a month's sum and count of valid daily values (and so a
 * year's, the sums of its months) move by exactly the day's old value out and new value in — two primary-key
 * upserts per series instead of reading every day of the month and every month of the year, which is what made
 * the evening hours (each hour changing every day value) the slowest. A period not there yet is created: it had
 * no day before this one.
 */
async function applyDayDeltas(trx: Kysely<Database>, deltas: readonly DayDelta[]): Promise<void> {
  const groups = new Map<string, DayDelta[]>();
  for (const d of deltas) pushTo(groups, `${d.dayEnd}|${publishedDigits(d.parameter)}`, d);
  for (const list of groups.values()) {
    const first = list[0] as DayDelta;
    const digits = publishedDigits(first.parameter);
    const day = naturalDayOf(new Date(first.dayEnd));
    const month = monthPeriod(day.slice(0, 7));
    const year = yearPeriod(day.slice(0, 4));
    const upsert = (kind: 'month' | 'year', period: Period) => sql`
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value)
      select site_id, parameter_id, ${kind}, ${new Date(period.to)}::timestamptz, ds, dn,
             case when dn >= ${period.minimum}::int then envmon_round_half_even(ds, dn, ${digits}::int) end
      from d
      on conflict (site_id, parameter_id, kind, window_end) do update
        set sum = w.sum + excluded.sum, valid_count = w.valid_count + excluded.valid_count,
            value = case when w.valid_count + excluded.valid_count >= ${period.minimum}::int
                         then envmon_round_half_even(w.sum + excluded.sum, w.valid_count + excluded.valid_count, ${digits}::int) end,
            updated_at = now()`;
    await sql`
      with d as (
        select site_id, parameter_id, coalesce(after, 0) - coalesce(before, 0) as ds,
               (after is not null)::int - (before is not null)::int as dn
        from unnest(${list.map((x) => x.siteId)}::int[], ${list.map((x) => x.parameterId)}::int[], ${list.map((x) => x.before)}::numeric[], ${list.map((x) => x.after)}::numeric[])
          as u(site_id, parameter_id, before, after)
      ), months as (${upsert('month', month)})
      ${upsert('year', year)}`.execute(trx);
  }
}

/**
 * Removes windows left without any valid value (a value revised to an invalid flag). Done apart, by primary key,
 * and only when there are any: joined inside the refresh statement, the delete cost a scan of the whole table.
 */
async function deleteWindows(trx: Kysely<Database>, rows: readonly EmptyWindow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    delete from window_aggregate w
    using unnest(${rows.map((r) => r.site_id)}::int[], ${rows.map((r) => r.parameter_id)}::int[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.window_end)}::timestamptz[]) as z(site_id, parameter_id, kind, window_end)
    where w.site_id = z.site_id and w.parameter_id = z.parameter_id and w.kind = z.kind and w.window_end = z.window_end`.execute(trx);
}

export interface AggregateRow {
  siteId: number;
  parameterId: number;
  kind: AggregateKind;
  windowEnd: Date;
  sum: string | null;
  validCount: number;
  value: string | null;
  maxHour: string | null;
  hourCount: number | null;
}

/**
 * Windows of one kind for some series, with ends in [from, to]: as stored, and for 8- and 24-hour means ending before
 * a series' stored horizon (moving-windows.repository.ts), computed from the readings in the same form.
 *
 * `watermarks`: those of every series of the sites and parameters that has one, when the caller holds them — the
 * evaluation that has just advanced them in its transaction — so they are not read again.
 */
export async function aggregatesOf(db: Kysely<Database>, kind: AggregateKind, siteIds: readonly number[], parameterIds: readonly number[], from: Date, to: Date, watermarks?: readonly SeriesWatermark[]): Promise<AggregateRow[]> {
  if (siteIds.length === 0 || parameterIds.length === 0) return [];
  const rows = (
    await db
      .selectFrom('window_aggregate')
      .selectAll()
      .where('kind', '=', kind)
      .where('site_id', 'in', [...siteIds])
      .where('parameter_id', 'in', [...parameterIds])
      .where('window_end', '>=', from)
      .where('window_end', '<=', to)
      .orderBy('window_end')
      .execute()
  ).map(toAggregateRow);
  if (kind !== '8h' && kind !== '24h') return rows;
  const marks = watermarks ?? (await seriesWatermarksOf(db, siteIds, parameterIds));
  const older = rangesBeforeHorizon(marks, from.getTime(), to.getTime());
  if (older.length === 0) return rows;
  // Stored rows are those of the horizon; the rest come from the readings.
  const horizon = new Map(marks.map((m) => [`${m.siteId}|${m.parameterId}`, firstStoredEnd(m.watermark)]));
  const computed = (await computeMovingWindows(db, kind, older)).map((w): AggregateRow => ({ ...w, kind, maxHour: null, hourCount: null }));
  const kept = rows.filter((r) => r.windowEnd.getTime() >= (horizon.get(`${r.siteId}|${r.parameterId}`) ?? -Infinity));
  return [...computed, ...kept].sort((a, b) => a.windowEnd.getTime() - b.windowEnd.getTime());
}

export function toAggregateRow(r: { site_id: number; parameter_id: number; kind: AggregateKind; window_end: Date; sum: string | null; valid_count: number; value: string | null; max_hour: string | null; hour_count: number | null }): AggregateRow {
  return { siteId: r.site_id, parameterId: r.parameter_id, kind: r.kind, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value, maxHour: r.max_hour, hourCount: r.hour_count };
}
