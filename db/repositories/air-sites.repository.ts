/** The air stations, as the period assessment and the rankings read them. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface AirSite {
  id: number;
  code: string;
  nameZh: string;
  area: string;
}

/** Every air station, by code. */
export async function airSites(db: Kysely<Database>): Promise<AirSite[]> {
  const rows = await db.selectFrom('site').select(['id', 'code', 'name_zh', 'area']).where('kind', '=', 'air_station').orderBy('code').execute();
  return rows.map((s) => ({ id: s.id, code: s.code, nameZh: s.name_zh, area: s.area }));
}

/** The areas that have an air station, in order. */
export async function airAreas(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom('site').select('area').distinct().where('kind', '=', 'air_station').orderBy('area').execute()).map((r) => r.area);
}
