// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Work that stored data still owes: the rolling windows of hour ends (span_from, span_to] of one series, and —
  // when run_rules — the rules over them. Written in the transaction that stores the data; deleted in the
  // transaction that refreshes the windows and applies the rules, so a crash in between leaves the mark for
  // whoever comes next (the retried job, the periodic recovery, the next import or `aggregates rebuild`).
  await sql`
    create table windows_pending (
      id bigint generated always as identity primary key,
      site_id integer not null,
      parameter_id smallint not null,
      span_from timestamptz not null,
      span_to timestamptz not null,
      run_rules boolean not null,
      created_at timestamptz not null default now(),
      check (span_from < span_to)
    )`.execute(db);
  await sql`create index windows_pending_site_idx on windows_pending (site_id)`.execute(db);
  await sql`create index windows_pending_created_idx on windows_pending (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists windows_pending`.execute(db);
}
