/** Alerts as `envmon alerts list|show` and GET /api/alerts read them. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Alerts with the code and name of their site and the code of their parameter, newest first; open ones unless `all`. */
export async function listAlerts(db: Kysely<Database>, options: { all: boolean; limit: number }) {
  let query = db
    .selectFrom('alert')
    .leftJoin('site', 'site.id', 'alert.site_id')
    .leftJoin('parameter', 'parameter.id', 'alert.parameter_id')
    .select(['alert.id', 'alert.rule_id', 'alert.state', 'alert.severity', 'site.code as site', 'site.name_zh as siteName', 'parameter.code as parameter', 'alert.first_seen_at', 'alert.fired_at', 'alert.resolved_at', 'alert.acknowledged_at', 'alert.late', 'alert.evidence'])
    .select(['alert.site_id', 'alert.parameter_id', 'alert.source_id', 'alert.last_evaluated_at'])
    .orderBy('alert.id', 'desc')
    .limit(options.limit);
  if (!options.all) query = query.where('alert.state', '<>', 'resolved');
  return query.execute();
}

/** One alert, every column; undefined if there is none. */
export async function alertById(db: Kysely<Database>, id: number) {
  return db.selectFrom('alert').selectAll().where('id', '=', id).executeTakeFirst();
}
