/** Sites as the console's overview, site list and site pages show them, and the areas and kinds there are to filter them by. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SiteInfo {
  id: number;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
  area: string;
  waterBody: string | null;
}

/** One site by code; undefined if there is none. */
export async function siteByCode(db: Kysely<Database>, code: string): Promise<SiteInfo | undefined> {
  const row = await db.selectFrom('site').select(['id', 'code', 'name_zh', 'name_en', 'kind', 'area', 'water_body']).where('code', '=', code).executeTakeFirst();
  return row && { id: row.id, code: row.code, nameZh: row.name_zh, nameEn: row.name_en, kind: row.kind, area: row.area, waterBody: row.water_body };
}

/** The sites of an area and of a kind (either null: any), by area then code. */
export async function sitesIn(db: Kysely<Database>, filter: { area: string | null; kind: string | null }): Promise<SiteInfo[]> {
  const { area, kind } = filter;
  const { rows } = await sql<{ id: number; code: string; name_zh: string; name_en: string; kind: string; area: string; water_body: string | null }>`
      select id, code, name_zh, name_en, kind, area, water_body from site
      where (${area}::text is null or area = ${area}) and (${kind}::text is null or kind = ${kind})
      order by area, code`.execute(db);
  return rows.map((s) => ({ id: s.id, code: s.code, nameZh: s.name_zh, nameEn: s.name_en, kind: s.kind, area: s.area, waterBody: s.water_body }));
}

/** Every site with its names, kind, area and water body, by area then code. */
export async function siteListByArea(db: Kysely<Database>) {
  return db.selectFrom('site').select(['code', 'name_zh', 'name_en', 'kind', 'area', 'water_body']).orderBy('area').orderBy('code').execute();
}

/** How many sites each area has (rows with `kind` null) and each kind has (rows with `area` null). */
export async function siteFacets(db: Kysely<Database>): Promise<{ area: string | null; kind: string | null; n: number }[]> {
  const { rows } = await sql<{ area: string | null; kind: string | null; n: number }>`select area, kind, count(*)::int as n from site group by grouping sets ((area), (kind))`.execute(db);
  return rows;
}
