import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SeriesActivity {
  site: string;
  parameter: string;
  /** The newest interval end stored from the source for this site and parameter. */
  latest: Date;
}

/** The series a source has fed within the lookback, with the newest time of each. */
export async function sourceActivity(db: Kysely<Database>, sourceId: string, since: Date): Promise<SeriesActivity[]> {
  const rows = await sql<{ site: string; parameter: string; latest: Date }>`
    select s.code as site, p.code as parameter, max(r.observed_at) as latest
    from reading r
    join site s on s.id = r.site_id
    join parameter p on p.id = r.parameter_id
    where r.source_id = ${sourceId} and r.observed_at > ${since}
    group by s.code, p.code
    order by s.code, p.code`.execute(db);
  return rows.rows;
}
