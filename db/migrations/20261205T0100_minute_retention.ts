// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Minute data older than this instant has been dropped (whole UTC days, `envmon partitions prune`): minutes of
  // that time arriving later are quarantined rather than stored, since deriving their hour again from a few late
  // minutes would replace the value derived from the whole hour. One row; storing minutes reads it `for share`, so a
  // prune waits for batches in flight and a batch after it sees the new bound.
  await sql`
    create table minute_retention (
      only_row boolean primary key default true check (only_row),
      pruned_before timestamptz not null
    )`.execute(db);
  await sql`insert into minute_retention (pruned_before) values ('-infinity')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists minute_retention`.execute(db);
}
