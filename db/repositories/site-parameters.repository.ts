import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The parameters a site has stored series of (a watermark), by id, with their codes and units. */
export async function siteParameters(db: Kysely<Database>, siteId: number): Promise<{ id: number; code: string; unit: string }[]> {
  return db
    .selectFrom('series_watermark as w')
    .innerJoin('parameter as p', 'p.id', 'w.parameter_id')
    .select(['p.id', 'p.code', 'p.unit'])
    .where('w.site_id', '=', siteId)
    .orderBy('p.id')
    .execute();
}
