/** The hourly readings of a natural day as its CSV lists them, with the kind of the source each came from. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Hourly readings of every flag with interval ends in (from, to], by site code, parameter code and time. */
export async function hourlyReadingsWithSource(db: Kysely<Database>, from: Date, to: Date) {
  return db
    .selectFrom('reading')
    .innerJoin('site', 'site.id', 'reading.site_id')
    .innerJoin('parameter', 'parameter.id', 'reading.parameter_id')
    .leftJoin('source', 'source.id', 'reading.source_id')
    .select(['site.code as site', 'site.name_zh as name', 'parameter.code as parameter', 'reading.observed_at', 'reading.value', 'reading.unit', 'reading.flag', 'source.kind as sourceKind'])
    .where('reading.period', '=', 'hour')
    .where('reading.observed_at', '>', from)
    .where('reading.observed_at', '<=', to)
    .orderBy('site.code')
    .orderBy('parameter.code')
    .orderBy('reading.observed_at')
    .execute();
}
