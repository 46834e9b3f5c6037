// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An hourly reading envmon derived from a station's minute data, rather than one the station reported itself. A
  // reported hourly value replaces a derived one; a derivation never replaces a reported one. Adding a column with a
  // constant default is a catalogue change only: existing rows are not rewritten.
  await sql`alter table reading add column derived boolean not null default false`.execute(db);

  // Minute data (HJ 212 CN 2011 real-time, CN 2051 minute), kept apart from the hourly readings: a grid of 720
  // stations × 6 parameters sends 259,200 rows an hour. One lean row per series and minute the value stands for
  // (real-time samples of one minute: the last wins), partitioned by UTC day so old days are dropped whole.
  await sql`
    create table minute_reading (
      site_id integer not null,
      parameter_id smallint not null,
      minute_start timestamptz not null,
      minutes smallint not null check (minutes between 1 and 60),
      value numeric not null,
      flag text not null,
      source_id text,
      primary key (site_id, parameter_id, minute_start)
    ) partition by range (minute_start)`.execute(db);
  await sql`
    create function envmon_ensure_minute_partition(at timestamptz) returns void
    language plpgsql as $$
    declare
      day_start timestamp := date_trunc('day', at at time zone 'UTC');
      part text := 'minute_reading_' || to_char(day_start, 'YYYY_MM_DD');
    begin
      if to_regclass(part) is not null then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('envmon_minute_partition'));
      execute format(
        'create table if not exists %I partition of minute_reading for values from (%L) to (%L)',
        part, (day_start at time zone 'UTC'), ((day_start + interval '1 day') at time zone 'UTC'));
    end $$`.execute(db);

  // Hours whose minute data changed and whose hourly value is still to be derived: written in the transaction that
  // stores the minutes, deleted in the one that derives the hour, so a crash in between leaves the mark.
  await sql`
    create table minute_hour_pending (
      site_id integer not null,
      parameter_id smallint not null,
      hour_end timestamptz not null,
      marked_at timestamptz not null default now(),
      primary key (site_id, parameter_id, hour_end)
    )`.execute(db);
  await sql`create index minute_hour_pending_hour_idx on minute_hour_pending (hour_end)`.execute(db);

  // The outcome of each hour's latest derivation, valid or not: an hour with too few minutes is kept here (never as a
  // reading), with how many minutes it had.
  await sql`
    create table minute_hour (
      site_id integer not null,
      parameter_id smallint not null,
      hour_end timestamptz not null,
      minute_rows integer not null,
      valid_minutes integer not null,
      value numeric,
      flag text not null,
      outcome text not null check (outcome in ('derived', 'insufficient', 'station')),
      derived_at timestamptz not null default now(),
      primary key (site_id, parameter_id, hour_end)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists minute_hour`.execute(db);
  await sql`drop table if exists minute_hour_pending`.execute(db);
  await sql`drop table if exists minute_reading`.execute(db);
  await sql`drop function if exists envmon_ensure_minute_partition(timestamptz)`.execute(db);
  await sql`alter table reading drop column if exists derived`.execute(db);
}
