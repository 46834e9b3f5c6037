// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Natural days (Beijing) affected by sand and dust (扣沙): left out of the assessment figures shown without dust.
  // No area: every area. One mark per day and area.
  await sql`
    create table dust_day (
      id bigint generated always as identity primary key,
      day date not null,
      area text check (area is null or length(area) between 1 and 200),
      note text not null check (length(note) between 1 and 1000),
      marked_by text not null check (length(marked_by) between 1 and 100),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index dust_day_day_area on dust_day (day, coalesce(area, ''))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists dust_day`.execute(db);
}
