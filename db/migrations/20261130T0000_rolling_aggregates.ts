// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // num / den rounded to `digits` decimals, half to even (GB/T 8170), exactly: div and mod on numeric are exact,
  // unlike numeric division, which rounds at a chosen scale first. den > 0. The final division by 10^digits is
  // exact, and round(…, digits) only sets the scale of the result. One expression, not strict: PostgreSQL inlines it.
  await sql`
    create function envmon_round_half_even(num numeric, den numeric, digits integer) returns numeric
    language sql immutable parallel safe as $$
      select round(
        (div(num * 10::numeric ^ digits, den)
          + case
              when 2 * abs(mod(num * 10::numeric ^ digits, den)) > den then sign(num)
              when 2 * abs(mod(num * 10::numeric ^ digits, den)) = den and mod(div(num * 10::numeric ^ digits, den), 2) <> 0 then sign(num)
              else 0
            end) / 10::numeric ^ digits,
        digits)
    $$`.execute(db);

  // Rolling values of each hourly series, maintained for exactly the windows new, late or revised readings touch:
  // 8- and 24-hour moving means by their end hour, natural-day values by the day's end (24:00 Beijing time),
  // monthly means of the days and annual means of the months. sum / valid_count are exact; value is the published
  // figure (rounded, null when too few valid data).
  await sql`
    create table window_aggregate (
      site_id integer not null,
      parameter_id smallint not null,
      kind text not null check (kind in ('8h', '24h', 'day', 'month', 'year')),
      window_end timestamptz not null,
      sum numeric,
      valid_count integer not null,
      value numeric,
      max_hour numeric,
      hour_count integer,
      updated_at timestamptz not null default now(),
      primary key (site_id, parameter_id, kind, window_end)
    )`.execute(db);

  // The newest hour stored for each series: moving windows end at hours up to it.
  await sql`
    create table series_watermark (
      site_id integer not null,
      parameter_id smallint not null,
      latest_hour timestamptz not null,
      primary key (site_id, parameter_id)
    )`.execute(db);

  // A notification held back by a silence or maintenance window is kept, marked, and never sent.
  await sql`alter table notification_outbox drop constraint notification_outbox_status_check`.execute(db);
  await sql`alter table notification_outbox add constraint notification_outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed', 'suppressed'))`.execute(db);
  await sql`alter table notification_outbox add column silence_id bigint references silence (id)`.execute(db);
  await sql`create index alert_dedup_key_idx on alert (dedup_key, last_evaluated_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists alert_dedup_key_idx`.execute(db);
  await sql`alter table notification_outbox drop column if exists silence_id`.execute(db);
  await sql`alter table notification_outbox drop constraint notification_outbox_status_check`.execute(db);
  await sql`alter table notification_outbox add constraint notification_outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed'))`.execute(db);
  await sql`drop table if exists series_watermark`.execute(db);
  await sql`drop table if exists window_aggregate`.execute(db);
  await sql`drop function if exists envmon_round_half_even(numeric, numeric, integer)`.execute(db);
}
