/**
 * The alerts of a natural day (dayStart, cutoff] as its report reads them: those that had fired by the cutoff and
 * had not resolved by the day's start.
 */
import { sql, type Kysely } from 'kysely';
import type { DataOrigin } from '../../lib/data-origin.ts';
import type { Database } from '../schema.ts';

const ofDay = (dayStart: Date, cutoff: Date) => sql`a.fired_at is not null and a.fired_at <= ${cutoff} and (a.resolved_at is null or a.resolved_at > ${dayStart})`;

/** How many alerts the day has: all of them, those fired in it, those resolved by the cutoff, those still firing then. */
export async function dayAlertCounts(db: Kysely<Database>, dayStart: Date, cutoff: Date): Promise<{ total: string; opened: string; resolved: string; open: string } | undefined> {
  const counts = await sql<{ total: string; opened: string; resolved: string; open: string }>`
    select count(*) as total,
           count(*) filter (where a.fired_at > ${dayStart}) as opened,
           count(*) filter (where a.resolved_at <= ${cutoff}) as resolved,
           count(*) filter (where a.resolved_at is null or a.resolved_at > ${cutoff}) as open
    from alert a where ${ofDay(dayStart, cutoff)}`.execute(db);
  return counts.rows[0];
}

export interface DayAlertRow {
  id: number;
  rule_id: string;
  site: string | null;
  site_name: string | null;
  source_id: string | null;
  parameter: string | null;
  severity: string;
  fired_at: Date;
  resolved_at: Date | null;
  late: boolean;
  origin: DataOrigin | null;
}

/** Up to `limit` alerts of the day: those still firing at the cutoff first, then by when they fired. */
export async function dayAlerts(db: Kysely<Database>, dayStart: Date, cutoff: Date, limit: number): Promise<DayAlertRow[]> {
  const rows = await sql<DayAlertRow>`
    select a.id, a.rule_id, s.code as site, s.name_zh as site_name, a.source_id, p.code as parameter, a.severity, a.fired_at, a.resolved_at, a.late,
           a.evidence->>'origin' as origin
    from alert a left join site s on s.id = a.site_id left join parameter p on p.id = a.parameter_id
    where ${ofDay(dayStart, cutoff)}
    order by (a.resolved_at is null or a.resolved_at > ${cutoff}) desc, a.fired_at, a.id
    limit ${limit}`.execute(db);
  return rows.rows;
}
