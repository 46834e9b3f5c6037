// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Which source ever delivered which series, with the first and latest interval end it delivered. Kept in the
  // transaction that stores the readings. No-data rules expect every series a source ever delivered (and those the
  // configuration names), however long ago; demo data is labelled by the kind of the sources that fed a series.
  // source_id is not a foreign key: readings keep the id of a source even after it leaves the configuration.
  await sql`
    create table source_series (
      source_id text not null,
      site_id integer not null references site (id),
      parameter_id smallint not null references parameter (id),
      first_at timestamptz not null,
      latest_at timestamptz not null,
      primary key (source_id, site_id, parameter_id)
    )`.execute(db);
  await sql`create index source_series_site_idx on source_series (site_id)`.execute(db);

  // What the readings already stored say, including the earlier versions of revised readings.
  await sql`
    insert into source_series (source_id, site_id, parameter_id, first_at, latest_at)
    select source_id, site_id, parameter_id, min(observed_at), max(observed_at)
    from (
      select source_id, site_id, parameter_id, observed_at from reading where source_id is not null
      union all
      select previous_source_id, site_id, parameter_id, observed_at from reading_revision where previous_source_id is not null
    ) delivered
    group by source_id, site_id, parameter_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists source_series`.execute(db);
}
