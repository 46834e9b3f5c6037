import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Where a run of flagged hourly samples that reaches `before` began: the first sample after the series' last
 * sample at or before `before` without one of `flags`, and how many samples the run holds up to `before`. Null when
 * the series has no flagged sample there.
 */
export async function flaggedRunBefore(db: Kysely<Database>, siteId: number, parameterId: number, flags: readonly string[], before: Date): Promise<{ first: Date; samples: number } | null> {
  const result = await sql<{ first: Date | null; samples: number }>`
    select min(r.observed_at) as first, count(*)::int as samples
    from reading r
    where r.site_id = ${siteId} and r.parameter_id = ${parameterId} and r.period = 'hour' and r.observed_at <= ${before}
      and r.observed_at > coalesce((
        select max(n.observed_at) from reading n
        where n.site_id = ${siteId} and n.parameter_id = ${parameterId} and n.period = 'hour' and n.observed_at <= ${before}
          and n.flag <> all(${[...flags]}::text[])
      ), '-infinity'::timestamptz)`.execute(db);
  const row = result.rows[0];
  return row?.first ? { first: row.first, samples: row.samples } : null;
}
