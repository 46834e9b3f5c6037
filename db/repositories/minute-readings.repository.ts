/**
 * Minute data and the hourly values derived from it (migration 20261202T0300). Storing minutes marks their hours in
 * `minute_hour_pending` in the same transaction; deriving an hour deletes its mark in the transaction that writes
 * the result, so a crash in between leaves the mark for the next run.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export interface MinuteRow {
  siteId: number;
  parameterId: number;
  /** Start of the minutes the value stands for, ISO instant. */
  minuteStart: string;
  minutes: number;
  value: string;
  flag: string;
}

/** The UTC origin hours are counted from: whole UTC hours are whole Beijing hours, whatever the session time zone. */
const HOUR_ORIGIN = sql`timestamptz '2000-01-01 00:00:00+00'`;

/**
 * Stores minute values in the caller's transaction: new minutes inserted, a changed value or flag replaces the
 * stored one, identical ones are left alone. Every hour with a new or changed minute is marked for derivation.
 * Returns how many minutes were new or changed. Of several rows for one minute, the last wins.
 */
export async function storeMinutes(trx: Kysely<Database>, rows: readonly MinuteRow[], sourceId: string | null): Promise<number> {
  if (rows.length === 0) return 0;
  const last = new Map<string, MinuteRow>();
  for (const r of rows) last.set(`${r.siteId}|${r.parameterId}|${r.minuteStart}`, r);
  const list = [...last.values()];
  const { rows: result } = await sql<{ written: number }>`
    with written as (
      insert into minute_reading (site_id, parameter_id, minute_start, minutes, value, flag, source_id)
      select site_id, parameter_id, minute_start, minutes, value, flag, ${sourceId}
      from unnest(${list.map((r) => r.siteId)}::int[], ${list.map((r) => r.parameterId)}::smallint[], ${list.map((r) => r.minuteStart)}::timestamptz[],
                  ${list.map((r) => r.minutes)}::smallint[], ${list.map((r) => r.value)}::numeric[], ${list.map((r) => r.flag)}::text[])
        as m(site_id, parameter_id, minute_start, minutes, value, flag)
      order by site_id, parameter_id, minute_start
      on conflict (site_id, parameter_id, minute_start) do update
        set minutes = excluded.minutes, value = excluded.value, flag = excluded.flag, source_id = excluded.source_id
        where (minute_reading.minutes, minute_reading.value, minute_reading.flag) is distinct from (excluded.minutes, excluded.value, excluded.flag)
      returning site_id, parameter_id, minute_start
    ), marked as (
      -- "do update" rather than "do nothing": it locks the mark, so a derivation that holds the mark finishes before
      -- this transaction goes on, and a mark it deletes is written again for the minutes it could not see.
      insert into minute_hour_pending (site_id, parameter_id, hour_end)
      select distinct site_id, parameter_id, date_bin('1 hour', minute_start, ${HOUR_ORIGIN}) + interval '1 hour' from written
      order by 1, 2, 3
      on conflict (site_id, parameter_id, hour_end) do update set marked_at = excluded.marked_at
      returning 1
    )
    select (select count(*) from written)::int as written, (select count(*) from marked)::int as marked`.execute(trx);
  return result[0]?.written ?? 0;
}

/** Days (`minute:YYYY-MM-DD`, UTC) whose minute partitions this process has ensured, kept in the readings' cache. */
export async function ensureMinutePartitions(db: Kysely<Database>, starts: Iterable<string>, cache: Set<string>): Promise<void> {
  const days = new Set<string>();
  for (const t of starts) days.add(t.slice(0, 10));
  for (const day of days) {
    const key = `minute:${day}`;
    if (cache.has(key)) continue;
    await sql`select envmon_ensure_minute_partition(${`${day}T00:00:00Z`}::timestamptz)`.execute(db);
    cache.add(key);
  }
}

export interface HourKey {
  siteId: number;
  parameterId: number;
  hourEnd: Date;
}

/**
 * Takes (deletes, in the caller's transaction) up to `limit` marks of hours ended by `until`, oldest first; marks
 * another transaction holds are skipped. A rollback puts them back.
 */
export async function takeMinuteHourMarks(trx: Transaction<Database>, until: Date, limit: number): Promise<HourKey[]> {
  const { rows } = await sql<{ site_id: number; parameter_id: number; hour_end: Date }>`
    delete from minute_hour_pending p
    using (
      select site_id, parameter_id, hour_end from minute_hour_pending
      where hour_end <= ${until}
      order by hour_end, site_id, parameter_id
      limit ${limit}
      for update skip locked
    ) t
    where p.site_id = t.site_id and p.parameter_id = t.parameter_id and p.hour_end = t.hour_end
    returning p.site_id, p.parameter_id, p.hour_end`.execute(trx);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, hourEnd: r.hour_end }));
}

export interface StoredMinute {
  siteId: number;
  parameterId: number;
  hourEnd: Date;
  minutes: number;
  value: string;
  flag: string;
  sourceId: string | null;
}

/** The stored minutes of the hours. */
export async function minutesOfHours(trx: Kysely<Database>, hours: readonly HourKey[]): Promise<StoredMinute[]> {
  if (hours.length === 0) return [];
  const { rows } = await sql<{ site_id: number; parameter_id: number; hour_end: Date; minutes: number; value: string; flag: string; source_id: string | null }>`
    select m.site_id, m.parameter_id, k.hour_end, m.minutes, m.value::text as value, m.flag, m.source_id
    from unnest(${hours.map((h) => h.siteId)}::int[], ${hours.map((h) => h.parameterId)}::smallint[], ${hours.map((h) => h.hourEnd)}::timestamptz[])
      as k(site_id, parameter_id, hour_end)
    join minute_reading m on m.site_id = k.site_id and m.parameter_id = k.parameter_id
      and m.minute_start >= k.hour_end - interval '1 hour' and m.minute_start < k.hour_end
    order by m.site_id, m.parameter_id, m.minute_start`.execute(trx);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, hourEnd: r.hour_end, minutes: r.minutes, value: r.value, flag: r.flag, sourceId: r.source_id }));
}

/** Hours among `hours` for which the station reported its own hourly value. */
export async function reportedHours(trx: Kysely<Database>, hours: readonly HourKey[]): Promise<HourKey[]> {
  if (hours.length === 0) return [];
  const { rows } = await sql<{ site_id: number; parameter_id: number; observed_at: Date }>`
    select r.site_id, r.parameter_id, r.observed_at
    from unnest(${hours.map((h) => h.siteId)}::int[], ${hours.map((h) => h.parameterId)}::smallint[], ${hours.map((h) => h.hourEnd)}::timestamptz[])
      as k(site_id, parameter_id, hour_end)
    join reading r on r.site_id = k.site_id and r.parameter_id = k.parameter_id and r.period = 'hour' and r.observed_at = k.hour_end
    where not r.derived`.execute(trx);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, hourEnd: r.observed_at }));
}

export interface DerivedHourRow extends HourKey {
  value: string;
  sourceId: string | null;
}

/**
 * Writes valid derived hours as hourly readings flagged N and marked derived: a new hour is inserted, a derived one
 * updated when its value changed, a reported one never touched. Returns the hours whose reading changed.
 */
export async function writeDerivedReadings(trx: Kysely<Database>, hours: readonly DerivedHourRow[]): Promise<HourKey[]> {
  if (hours.length === 0) return [];
  const { rows } = await sql<{ site_id: number; parameter_id: number; observed_at: Date }>`
    insert into reading (site_id, parameter_id, period, observed_at, value, unit, flag, source_id, derived)
    select k.site_id, k.parameter_id, 'hour', k.hour_end, k.value, p.unit, 'N', k.source_id, true
    from unnest(${hours.map((h) => h.siteId)}::int[], ${hours.map((h) => h.parameterId)}::smallint[], ${hours.map((h) => h.hourEnd)}::timestamptz[],
                ${hours.map((h) => h.value)}::numeric[], ${hours.map((h) => h.sourceId)}::text[])
      as k(site_id, parameter_id, hour_end, value, source_id)
    join parameter p on p.id = k.parameter_id
    order by k.site_id, k.parameter_id, k.hour_end
    on conflict (site_id, parameter_id, period, observed_at) do update
      set value = excluded.value, unit = excluded.unit, flag = excluded.flag, source_id = excluded.source_id, ingested_at = now()
      where reading.derived and (reading.value, reading.flag, reading.unit) is distinct from (excluded.value, excluded.flag, excluded.unit)
    returning site_id, parameter_id, observed_at`.execute(trx);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, hourEnd: r.observed_at }));
}

/** Removes the derived readings of hours no longer valid (a minute revised to a flag). Returns those removed. */
export async function removeDerivedReadings(trx: Kysely<Database>, hours: readonly HourKey[]): Promise<HourKey[]> {
  if (hours.length === 0) return [];
  const { rows } = await sql<{ site_id: number; parameter_id: number; observed_at: Date }>`
    delete from reading r
    using unnest(${hours.map((h) => h.siteId)}::int[], ${hours.map((h) => h.parameterId)}::smallint[], ${hours.map((h) => h.hourEnd)}::timestamptz[])
      as k(site_id, parameter_id, hour_end)
    where r.site_id = k.site_id and r.parameter_id = k.parameter_id and r.period = 'hour' and r.observed_at = k.hour_end and r.derived
    returning r.site_id, r.parameter_id, r.observed_at`.execute(trx);
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, hourEnd: r.observed_at }));
}

export interface MinuteHourOutcome extends HourKey {
  minuteRows: number;
  validMinutes: number;
  value: string | null;
  flag: string;
  outcome: 'derived' | 'insufficient' | 'station';
}

/** Records each hour's latest derivation. */
export async function recordMinuteHours(trx: Kysely<Database>, hours: readonly MinuteHourOutcome[]): Promise<void> {
  if (hours.length === 0) return;
  await sql`
    insert into minute_hour (site_id, parameter_id, hour_end, minute_rows, valid_minutes, value, flag, outcome)
    select * from unnest(${hours.map((h) => h.siteId)}::int[], ${hours.map((h) => h.parameterId)}::smallint[], ${hours.map((h) => h.hourEnd)}::timestamptz[],
                         ${hours.map((h) => h.minuteRows)}::int[], ${hours.map((h) => h.validMinutes)}::int[], ${hours.map((h) => h.value)}::numeric[],
                         ${hours.map((h) => h.flag)}::text[], ${hours.map((h) => h.outcome)}::text[])
    order by 1, 2, 3
    on conflict (site_id, parameter_id, hour_end) do update
      set minute_rows = excluded.minute_rows, valid_minutes = excluded.valid_minutes, value = excluded.value, flag = excluded.flag,
          outcome = excluded.outcome, derived_at = now()`.execute(trx);
}

/** Hours still waiting for derivation, by how long they have waited. */
export async function pendingMinuteHours(db: Kysely<Database>): Promise<{ hours: number; oldest: Date | null }> {
  const row = await db.selectFrom('minute_hour_pending').select([sql<number>`count(*)::int`.as('hours'), sql<Date | null>`min(marked_at)`.as('oldest')]).executeTakeFirst();
  return { hours: row?.hours ?? 0, oldest: row?.oldest ?? null };
}
