/**
 * Alerts as the console lists and shows them: every column an operator reads, with the code and names of their
 * site and the code of their parameter (null when the alert has none).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

function consoleAlertQuery(db: Kysely<Database>) {
  return db
    .selectFrom('alert')
    .leftJoin('site', 'site.id', 'alert.site_id')
    .leftJoin('parameter', 'parameter.id', 'alert.parameter_id')
    .select(['alert.id', 'alert.rule_id', 'alert.state', 'alert.severity', 'alert.site_id', 'alert.parameter_id', 'alert.source_id', 'alert.first_seen_at', 'alert.fired_at', 'alert.resolved_at', 'alert.last_evaluated_at'])
    .select(['alert.acknowledged_at', 'alert.acknowledged_by', 'alert.ack_note', 'alert.late', 'alert.evidence'])
    .select(['site.code as siteCode', 'site.name_zh as siteNameZh', 'site.name_en as siteNameEn', 'site.kind as siteKind', 'parameter.code as parameterCode']);
}

export type ConsoleAlertRow = Awaited<ReturnType<ReturnType<typeof consoleAlertQuery>['execute']>>[number];

/** Open alerts, newest first, at most 500. */
export async function openConsoleAlerts(db: Kysely<Database>): Promise<ConsoleAlertRow[]> {
  return consoleAlertQuery(db).where('alert.state', '<>', 'resolved').orderBy('alert.id', 'desc').limit(500).execute();
}

/** Alerts resolved at or after `since`, the latest resolved first, at most 100. */
export async function consoleAlertsResolvedSince(db: Kysely<Database>, since: Date): Promise<ConsoleAlertRow[]> {
  return consoleAlertQuery(db).where('alert.state', '=', 'resolved').where('alert.resolved_at', '>=', since).orderBy('alert.resolved_at', 'desc').limit(100).execute();
}

/** One alert by id; undefined if there is none. */
export async function consoleAlertById(db: Kysely<Database>, id: number): Promise<ConsoleAlertRow | undefined> {
  return consoleAlertQuery(db).where('alert.id', '=', id).executeTakeFirst();
}
