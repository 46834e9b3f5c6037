/** Dust-affected days (扣沙) marked by staff with `envmon dust add`; configured ones come from `dustDays`. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface DustDay {
  /** YYYY-MM-DD, a natural day in Beijing time. */
  day: string;
  /** null: every area. */
  area: string | null;
  note: string;
  markedBy: string;
  /** 'database' for a mark made with `envmon dust add`, 'config' for `dustDays` in the configuration. */
  source: 'database' | 'config';
}

/** Marks a day; false when the day is already marked for that area. */
export async function addDustDay(db: Kysely<Database>, mark: { day: string; area: string | null; note: string; markedBy: string }): Promise<boolean> {
  const result = await sql`
    insert into dust_day (day, area, note, marked_by) values (${mark.day}::date, ${mark.area}, ${mark.note}, ${mark.markedBy})
    on conflict (day, coalesce(area, '')) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/** Removes a mark; false when there was none. */
export async function removeDustDay(db: Kysely<Database>, day: string, area: string | null): Promise<boolean> {
  const result = await db
    .deleteFrom('dust_day')
    .where(sql<boolean>`day = ${day}::date and coalesce(area, '') = ${area ?? ''}`)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Marks with days in [from, to] (YYYY-MM-DD, both inclusive), oldest first. */
export async function dustDaysBetween(db: Kysely<Database>, from: string, to: string): Promise<DustDay[]> {
  const rows = await db
    .selectFrom('dust_day')
    .select([sql<string>`day::text`.as('day'), 'area', 'note', 'marked_by'])
    .where(sql<boolean>`day between ${from}::date and ${to}::date`)
    .orderBy('day')
    .orderBy('area')
    .execute();
  return rows.map((r) => ({ day: r.day, area: r.area, note: r.note, markedBy: r.marked_by, source: 'database' }));
}
