// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table site (
      id integer generated always as identity primary key,
      code text not null unique,
      name_zh text not null,
      name_en text not null,
      kind text not null check (kind in ('air_station', 'surface_water', 'drinking_water_source', 'groundwater_well', 'discharge_outlet')),
      area text not null,
      water_body text check (water_body in ('river', 'lake_reservoir')),
      longitude double precision,
      latitude double precision,
      time_zone text not null default 'Asia/Shanghai',
      note text,
      origin text not null default 'config' check (origin in ('config', 'feed', 'operator')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table parameter (
      id smallint generated always as identity primary key,
      code text not null unique,
      hj212_code text unique,
      name_zh text not null,
      name_en text not null,
      unit text not null,
      medium text not null check (medium in ('air', 'water'))
    )`.execute(db);

  await sql`
    create table source (
      id text primary key,
      kind text not null,
      name text not null,
      enabled boolean not null default true,
      schedule text not null,
      settings jsonb not null default '{}',
      cursor timestamptz,
      last_run_at timestamptz,
      last_success_at timestamptz,
      last_error_at timestamptz,
      last_error text,
      consecutive_failures integer not null default 0,
      last_run_rows integer,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // One row per site, parameter, averaging period and interval end. Partitioned by calendar month (UTC) so
  // time-window reads touch few partitions and old months can be detached.
  await sql`
    create table reading (
      site_id integer not null references site (id),
      parameter_id smallint not null references parameter (id),
      period text not null check (period in ('minute', 'hour', 'day')),
      observed_at timestamptz not null,
      value numeric not null,
      unit text not null,
      flag text not null default 'N',
      source_id text,
      ingested_at timestamptz not null default now(),
      primary key (site_id, parameter_id, period, observed_at)
    ) partition by range (observed_at)`.execute(db);
  await sql`create index reading_observed_at_idx on reading (observed_at)`.execute(db);

  // Creates the month partition holding an instant; safe to call concurrently from several workers.
  await sql`
    create function envmon_ensure_reading_partition(at timestamptz) returns void
    language plpgsql as $$
    declare
      month_start timestamp := date_trunc('month', at at time zone 'UTC');
      part text := 'reading_' || to_char(month_start, 'YYYY_MM');
    begin
      if to_regclass(part) is not null then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('envmon_reading_partition'));
      if to_regclass(part) is null then
        execute format(
          'create table %I partition of reading for values from (%L) to (%L)',
          part, (month_start at time zone 'UTC'), ((month_start + interval '1 month') at time zone 'UTC'));
      end if;
    end $$`.execute(db);

  await sql`
    create table reading_revision (
      id bigint generated always as identity primary key,
      site_id integer not null,
      parameter_id smallint not null,
      period text not null,
      observed_at timestamptz not null,
      previous_value numeric not null,
      previous_flag text not null,
      previous_source_id text,
      previous_ingested_at timestamptz not null,
      revised_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index reading_revision_key_idx on reading_revision (site_id, parameter_id, observed_at)`.execute(db);

  await sql`
    create table quarantine (
      id bigint generated always as identity primary key,
      source_id text,
      received_at timestamptz not null default now(),
      reason text not null,
      detail jsonb not null default '{}',
      raw text not null,
      status text not null default 'pending' check (status in ('pending', 'replayed', 'discarded')),
      resolved_at timestamptz,
      resolution text
    )`.execute(db);
  await sql`create index quarantine_status_idx on quarantine (status, received_at)`.execute(db);

  await sql`
    create table plan_target (
      id text primary key,
      document text not null,
      clause text,
      nature text check (nature in ('binding', 'indicative')),
      site_id integer references site (id),
      area text,
      indicator text not null,
      baseline_year integer,
      baseline_value text,
      target_year integer not null,
      comparator text not null,
      target_value text not null,
      wording text,
      seasonal jsonb,
      valid_from date not null,
      valid_to date not null,
      governing boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((site_id is null) <> (area is null)),
      check (valid_from <= valid_to)
    )`.execute(db);

  await sql`
    create table alert (
      id bigint generated always as identity primary key,
      dedup_key text not null,
      rule_id text not null,
      site_id integer references site (id),
      parameter_id smallint references parameter (id),
      source_id text,
      state text not null check (state in ('pending', 'firing', 'resolved')),
      severity text not null check (severity in ('info', 'warning', 'critical')),
      first_seen_at timestamptz not null,
      fired_at timestamptz,
      resolved_at timestamptz,
      last_evaluated_at timestamptz not null,
      acknowledged_at timestamptz,
      acknowledged_by text,
      ack_note text,
      late boolean not null default false,
      evidence jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // At most one open alert per rule + site + parameter.
  await sql`create unique index alert_open_dedup_idx on alert (dedup_key) where state <> 'resolved'`.execute(db);
  await sql`create index alert_state_idx on alert (state, updated_at)`.execute(db);

  await sql`
    create table alert_event (
      id bigint generated always as identity primary key,
      alert_id bigint not null references alert (id),
      at timestamptz not null default now(),
      from_state text,
      to_state text not null,
      note text,
      evidence jsonb
    )`.execute(db);
  await sql`create index alert_event_alert_idx on alert_event (alert_id, at)`.execute(db);

  await sql`
    create table silence (
      id bigint generated always as identity primary key,
      matcher jsonb not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      reason text not null,
      created_by text,
      created_at timestamptz not null default now(),
      check (starts_at < ends_at)
    )`.execute(db);

  await sql`
    create table notification_outbox (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('alert', 'resolution', 'reminder', 'daily_summary')),
      alert_id bigint references alert (id),
      dedup_key text not null unique,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      message_id text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`create index notification_outbox_pending_idx on notification_outbox (status, next_attempt_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['notification_outbox', 'silence', 'alert_event', 'alert', 'plan_target', 'quarantine', 'reading_revision', 'reading', 'source', 'parameter', 'site']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
  await sql`drop function if exists envmon_ensure_reading_partition(timestamptz)`.execute(db);
}
