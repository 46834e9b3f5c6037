import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Alerts with site and parameter, newest first; open ones unless `all`. */
export async function alertsQuery(db: Kysely<Database>, options: { all: boolean; limit: number }) {
  let query = db
    .selectFrom('alert')
    .leftJoin('site', 'site.id', 'alert.site_id')
    .leftJoin('parameter', 'parameter.id', 'alert.parameter_id')
    .select(['alert.id', 'alert.rule_id', 'alert.state', 'alert.severity', 'site.code as site', 'site.name_zh as siteName', 'parameter.code as parameter', 'alert.first_seen_at', 'alert.fired_at', 'alert.resolved_at', 'alert.acknowledged_at', 'alert.late', 'alert.evidence'])
    .orderBy('alert.id', 'desc')
    .limit(Math.max(1, Math.min(10_000, options.limit)));
  if (!options.all) query = query.where('alert.state', '<>', 'resolved');
  return query.execute();
}
