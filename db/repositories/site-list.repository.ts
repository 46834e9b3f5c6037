import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SiteListing {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
  area: string;
  note: string | null;
  /** `config` for configured sites, `feed` for stations a feed registered. */
  origin: string;
  /** Sources of the newest stored hourly value of each of the site's series. */
  recentSources: string[];
}

/**
 * Every known site, by code. The sources come from the newest reading of each series (one primary-key lookup per
 * series through its watermark), never from a scan of the readings.
 */
export async function listSites(db: Kysely<Database>): Promise<SiteListing[]> {
  const { rows } = await sql<{ code: string; name_zh: string; name_en: string; kind: string; area: string; note: string | null; origin: string; sources: string[] | null }>`
    select s.code, s.name_zh, s.name_en, s.kind, s.area, s.note, s.origin,
           (select array_agg(distinct r.source_id order by r.source_id)
              from series_watermark w
              join reading r on r.site_id = w.site_id and r.parameter_id = w.parameter_id and r.period = 'hour' and r.observed_at = w.latest_hour
             where w.site_id = s.id and r.source_id is not null) as sources
    from site s
    order by s.code`.execute(db);
  return rows.map((r) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, kind: r.kind, area: r.area, note: r.note, origin: r.origin, recentSources: r.sources ?? [] }));
}

/** Every site code, for naming the known ones when a request names an unknown one. */
export async function allSiteCodes(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('site').select('code').execute();
  return rows.map((r) => r.code).sort();
}

/** The newest stored hour of each site's series of one parameter (the end of its stored moving windows). */
export async function seriesWatermarks(db: Kysely<Database>, siteIds: readonly number[], parameterId: number): Promise<Map<number, number>> {
  if (siteIds.length === 0) return new Map();
  const rows = await db.selectFrom('series_watermark').select(['site_id', 'latest_hour']).where('parameter_id', '=', parameterId).where('site_id', 'in', [...siteIds]).execute();
  return new Map(rows.map((r) => [r.site_id, r.latest_hour.getTime()]));
}
