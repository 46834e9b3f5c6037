// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // How many times a reading was revised; 0 for a reading as first stored. Lets a bulk upsert tell inserted
  // rows from updated ones (xmax is not available on partitioned tables).
  await sql`alter table reading add column revision integer not null default 0`.execute(db);

  // Whatever updates a reading's value, flag or unit, the previous version goes to reading_revision.
  await sql`
    create function envmon_keep_reading_revision() returns trigger
    language plpgsql as $$
    begin
      insert into reading_revision (site_id, parameter_id, period, observed_at, previous_value, previous_flag, previous_source_id, previous_ingested_at)
      values (old.site_id, old.parameter_id, old.period, old.observed_at, old.value, old.flag, old.source_id, old.ingested_at);
      new.revision := old.revision + 1;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger reading_keep_revision
    before update on reading
    for each row
    when (old.value is distinct from new.value or old.flag is distinct from new.flag or old.unit is distinct from new.unit)
    execute function envmon_keep_reading_revision()`.execute(db);

  // Foreign-key checks run once per row and made bulk loads several times slower (measured: 1 M readings took
  // 24 s with them, against 3–4 s without). Ingestion resolves every site and parameter id from those tables
  // before storing, and neither table's rows are ever deleted.
  await sql`alter table reading drop constraint reading_site_id_fkey`.execute(db);
  await sql`alter table reading drop constraint reading_parameter_id_fkey`.execute(db);

  // Two writers may create the same month's partition at once: the lock serialises them, but the second one's
  // catalog snapshot predates the first one's commit, so it must also accept that the table now exists.
  await sql`
    create or replace function envmon_ensure_reading_partition(at timestamptz) returns void
    language plpgsql as $$
    declare
      month_start timestamp := date_trunc('month', at at time zone 'UTC');
      part text := 'reading_' || to_char(month_start, 'YYYY_MM');
    begin
      if to_regclass(part) is not null then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('envmon_reading_partition'));
      execute format(
        'create table if not exists %I partition of reading for values from (%L) to (%L)',
        part, (month_start at time zone 'UTC'), ((month_start + interval '1 month') at time zone 'UTC'));
    exception when duplicate_table then
      null;
    end $$`.execute(db);

  // An operator's enable/disable outlives restarts: null follows the configuration file.
  await sql`alter table source add column operator_enabled boolean`.execute(db);

  // A short category per rejection (out_of_range, unknown_site, …) so operators can count and filter.
  await sql`alter table quarantine add column code text not null default 'malformed'`.execute(db);
  await sql`create index quarantine_code_idx on quarantine (code, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table source drop column if exists operator_enabled`.execute(db);
  await sql`alter table reading add foreign key (site_id) references site (id)`.execute(db);
  await sql`alter table reading add foreign key (parameter_id) references parameter (id)`.execute(db);
  await sql`alter table quarantine drop column if exists code`.execute(db);
  await sql`drop trigger if exists reading_keep_revision on reading`.execute(db);
  await sql`drop function if exists envmon_keep_reading_revision()`.execute(db);
  await sql`alter table reading drop column if exists revision`.execute(db);
}
