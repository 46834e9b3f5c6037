/**
 * The same rolling windows as `window_aggregate`, computed from scratch from the raw readings in one statement:
 * every hour of the years involved on a dense grid, moving sums by window functions, days, months and years by
 * grouping. It reads no stored aggregate, so it is the reference the incremental refresh is checked against (and
 * the baseline it is measured against); it is also how an operator rebuilds the table.
 */
import { sql, type Kysely } from 'kysely';
import { dayEndOf, yearPeriod } from '../../standards/aggregate-windows.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { naturalDayOf } from '../../standards/natural-day.ts';
import { publishedDigits } from '../../standards/air-statistics.ts';
import { DAYS_PER_YEAR, daysPerMonth, HOURS_PER_8H, HOURS_PER_DAY, O3_FIRST_WINDOW_END_HOUR } from '../air-validity-sql.ts';
import type { AggregateKind, Database } from '../schema.ts';
import { STORED_MOVING_HOURS } from './moving-windows.repository.ts';
import { lockSites, toAggregateRow, type AggregateRow, type SeriesKey } from './aggregates.repository.ts';

/**
 * Windows of the series touching the hour ends [endFrom, endTo]: moving windows ending there, the natural days
 * holding those ends, and the months and years of those days (all from raw readings).
 */
export async function recomputeAggregates(db: Kysely<Database>, series: readonly SeriesKey[], endFrom: Date, endTo: Date): Promise<AggregateRow[]> {
  if (series.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await sql`set local work_mem = '128MB'`.execute(trx);
    const { rows } = await sql<Parameters<typeof toAggregateRow>[0]>`${recomputation(series, endFrom, endTo)}`.execute(trx);
    return rows.map(toAggregateRow);
  });
}

/**
 * Rebuilds the stored windows of some series over [endFrom, endTo] from the raw readings (after a bulk load, or
 * to repair), with their watermarks; returns the number of windows written. `kinds` limits what is written.
 */
export async function rebuildAggregates(db: Kysely<Database>, series: readonly SeriesKey[], endFrom: Date, endTo: Date, kinds: readonly AggregateKind[] = allKinds): Promise<number> {
  if (series.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    // A live evaluation of these sites must not interleave: its refresh would be overwritten by rows computed
    // from an older snapshot of the readings.
    await lockSites(trx, series.map((s) => s.siteId));
    // One large sort-and-group statement: sorting in memory instead of on disk.
    await sql`set local work_mem = '128MB'`.execute(trx);
    await sql`
      insert into series_watermark as w (site_id, parameter_id, latest_hour)
      select s.site_id, s.parameter_id, m.latest
      from unnest(${series.map((x) => x.siteId)}::int[], ${series.map((x) => x.parameterId)}::int[]) as s(site_id, parameter_id)
      cross join lateral (select max(observed_at) as latest from reading rd where rd.site_id = s.site_id and rd.parameter_id = s.parameter_id and rd.period = 'hour') m
      where m.latest is not null
      on conflict (site_id, parameter_id) do update set latest_hour = excluded.latest_hour`.execute(trx);
    // 8- and 24-hour means only within each series' stored horizon; those before it are computed when read.
    const horizon = sql`make_interval(hours => ${STORED_MOVING_HOURS})`;
    await sql`
      delete from window_aggregate wa using series_watermark m, unnest(${series.map((x) => x.siteId)}::int[], ${series.map((x) => x.parameterId)}::int[]) as s(site_id, parameter_id)
      where m.site_id = s.site_id and m.parameter_id = s.parameter_id and wa.site_id = s.site_id and wa.parameter_id = s.parameter_id
        and wa.kind in ('8h', '24h') and wa.window_end <= m.latest_hour - ${horizon}`.execute(trx);
    const result = await sql`
      insert into window_aggregate as w (site_id, parameter_id, kind, window_end, sum, valid_count, value, max_hour, hour_count)
      select r.site_id, r.parameter_id, kind, window_end, sum, valid_count, value, max_hour, hour_count from (${recomputation(series, endFrom, endTo)}) r
      join series_watermark m on m.site_id = r.site_id and m.parameter_id = r.parameter_id
      where kind = any(${[...kinds]}::text[]) and (kind not in ('8h', '24h') or window_end > m.latest_hour - ${horizon})
      on conflict (site_id, parameter_id, kind, window_end) do update
        set sum = excluded.sum, valid_count = excluded.valid_count, value = excluded.value, max_hour = excluded.max_hour, hour_count = excluded.hour_count, updated_at = now()`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

const allKinds: readonly AggregateKind[] = ['8h', '24h', 'day', 'month', 'year'];

function recomputation(series: readonly SeriesKey[], endFrom: Date, endTo: Date) {
  const firstDayEnd = dayEndOf(endFrom.getTime());
  const lastDayEnd = dayEndOf(endTo.getTime());
  const yearStart = yearPeriod(naturalDayOf(endFrom).slice(0, 4)).from + HOUR_MS;
  const yearEnd = yearPeriod(naturalDayOf(endTo).slice(0, 4)).to;
  const gridFrom = new Date(Math.min(yearStart, endFrom.getTime() - 23 * HOUR_MS));
  return sql`
    with s as (
      select * from unnest(${series.map((x) => x.siteId)}::int[], ${series.map((x) => x.parameterId)}::int[], ${series.map((x) => publishedDigits(x.parameter))}::int[], ${series.map((x) => x.parameter === 'o3')}::boolean[])
        as s(site_id, parameter_id, digits, is_o3)
    ), bounds as (
      select s.*, m.first, m.latest from s cross join lateral (
        select min(observed_at) as first, max(observed_at) as latest from reading rd where rd.site_id = s.site_id and rd.parameter_id = s.parameter_id and rd.period = 'hour'
      ) m where m.latest is not null
    ), grid as (
      select b.site_id, b.parameter_id, b.digits, b.is_o3, h
      from bounds b cross join lateral generate_series(greatest(${gridFrom}::timestamptz, b.first), least(${new Date(yearEnd)}::timestamptz, b.latest), interval '1 hour') h
    ), vals as (
      -- A join, not a lookup per grid hour: the planner scans by index for a few series and sequentially for many.
      select rd.site_id, rd.parameter_id, rd.observed_at, rd.value
      from reading rd join s on s.site_id = rd.site_id and s.parameter_id = rd.parameter_id
      where rd.period = 'hour' and rd.flag = 'N' and rd.observed_at >= ${gridFrom}::timestamptz and rd.observed_at <= ${new Date(yearEnd)}::timestamptz
    ), hourly as (
      -- Beijing time is UTC+8: an hour ending at h belongs to the natural day of h + 8 h − 1 h, which ends at 24:00
      -- Beijing time, 16:00 UTC of that date.
      select g.*, v.value,
             (((g.h at time zone 'UTC') + interval '7 hours')::date + interval '16 hours') at time zone 'UTC' as day_end,
             extract(hour from (g.h at time zone 'UTC') + interval '7 hours')::int + 1 as hour_of_day
      from grid g left join vals v on v.site_id = g.site_id and v.parameter_id = g.parameter_id and v.observed_at = g.h
    ), moving as (
      select *, sum(value) over w8 as s8, count(value) over w8 as n8, sum(value) over w24 as s24, count(value) over w24 as n24
      from hourly
      window w8 as (partition by site_id, parameter_id order by h rows between 7 preceding and current row),
             w24 as (partition by site_id, parameter_id order by h rows between 23 preceding and current row)
    ), days as (
      select site_id, parameter_id, digits, is_o3, day_end,
             sum(value) as s, count(value)::int as n, max(value) as mx,
             max(case when is_o3 and hour_of_day >= ${O3_FIRST_WINDOW_END_HOUR} and n8 >= ${HOURS_PER_8H} then envmon_round_half_even(s8, n8, digits) end) as best,
             count(case when is_o3 and hour_of_day >= ${O3_FIRST_WINDOW_END_HOUR} and n8 >= ${HOURS_PER_8H} then 1 end)::int as windows
      from moving group by site_id, parameter_id, digits, is_o3, day_end
    ), day_rows as (
      select site_id, parameter_id, digits, day_end,
             case when is_o3 then null else s end as sum,
             case when is_o3 then windows else n end as valid_count,
             case when is_o3 then best when n >= ${HOURS_PER_DAY} then envmon_round_half_even(s, n, digits) end as value,
             mx, n
      from days where n > 0
    ), periods as (
      select site_id, parameter_id, digits, 'month' as kind,
             ((date_trunc('month', (day_end at time zone 'UTC')) + interval '1 month' - interval '1 day')::date + interval '16 hours') at time zone 'UTC' as window_end,
             ${daysPerMonth(sql`extract(month from (day_end at time zone 'UTC'))`)} as minimum,
             sum(value) as s, count(value)::int as n
      from day_rows group by 1, 2, 3, 4, 5, 6
      union all
      select site_id, parameter_id, digits, 'year',
             ((date_trunc('year', (day_end at time zone 'UTC')) + interval '1 year' - interval '1 day')::date + interval '16 hours') at time zone 'UTC',
             ${DAYS_PER_YEAR}, sum(value), count(value)::int
      from day_rows group by 1, 2, 3, 4, 5, 6
    ), touched_days as (
      select distinct site_id, parameter_id, day_end from day_rows
      where day_end >= ${new Date(firstDayEnd)}::timestamptz and day_end <= ${new Date(lastDayEnd)}::timestamptz
    )
    select site_id, parameter_id, '8h' as kind, h as window_end, s8 as sum, n8::int as valid_count,
           case when n8 >= ${HOURS_PER_8H} then envmon_round_half_even(s8, n8, digits) end as value, null::numeric as max_hour, null::int as hour_count
    from moving where h >= ${endFrom}::timestamptz and h <= ${endTo}::timestamptz and n8 > 0
    union all
    select site_id, parameter_id, '24h', h, s24, n24::int, case when n24 >= ${HOURS_PER_DAY} then envmon_round_half_even(s24, n24, digits) end, null, null
    from moving where h >= ${endFrom}::timestamptz and h <= ${endTo}::timestamptz and n24 > 0
    union all
    select d.site_id, d.parameter_id, 'day', d.day_end, d.sum, d.valid_count, d.value, d.mx, d.n
    from day_rows d join touched_days t using (site_id, parameter_id, day_end)
    union all
    select p.site_id, p.parameter_id, p.kind, p.window_end, coalesce(p.s, 0), p.n, case when p.n >= p.minimum then envmon_round_half_even(p.s, p.n, p.digits) end, null, null
    from periods p
    where exists (
      select 1 from touched_days t where t.site_id = p.site_id and t.parameter_id = p.parameter_id
        and date_trunc(p.kind, (t.day_end at time zone 'UTC')) = date_trunc(p.kind, (p.window_end at time zone 'UTC'))
    )`;
}
