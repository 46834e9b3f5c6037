/**
 * The alerts of a natural day as of its end (24:00 Beijing time; for today, as of now): alerts that fired that day,
 * resolved that day, or were still firing at 24:00. Only what had happened by then counts — an alert that resolved
 * the next morning is shown firing at 24:00, one that fired the next day (a start-up no-data check, say) is not
 * there — so a past day's report is the same whenever it is built. Alerts that never fired (pending, or cancelled
 * because the breach did not persist) were never sent to anyone and are left out. Alert times are the times of
 * the data (a no-data alert: of the check).
 */
import type { Kysely } from 'kysely';
import { dayAlertCounts, dayAlerts } from '../db/repositories/day-alerts.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields, type DataOrigin } from '../lib/data-origin.ts';

/** At most this many alerts are listed; the count of the rest is given. */
export const LISTED_ALERTS = 20;

export interface ReportAlert {
  id: number;
  rule: string;
  site: string | null;
  siteName: string | null;
  /** The silent source of a no-data alert. */
  source: string | null;
  parameter: string | null;
  severity: string;
  /** The state at the end of the day (or now, for today). */
  state: 'firing' | 'resolved';
  firedAt: string;
  /** When it resolved, if it had by the end of the day. */
  resolvedAt: string | null;
  late: boolean;
  origin: DataOrigin | null;
  originLabel: string | null;
}

export interface ReportAlerts {
  /** Fired within the day. */
  opened: number;
  /** Resolved within the day. */
  resolved: number;
  /** Still firing at the end of the day. */
  open: number;
  /** All the alerts of the day (fired, resolved or open in it); `items` lists up to LISTED_ALERTS of them. */
  total: number;
  items: ReportAlert[];
}

/** The alerts of the day (dayStart, cutoff]: cutoff is the day's end, or now for a day still running. */
export async function alertsOfDay(db: Kysely<Database>, dayStart: Date, cutoff: Date): Promise<ReportAlerts> {
  const c = await dayAlertCounts(db, dayStart, cutoff);
  // Listed: those still firing at the end first (what the officer must act on), then by when they fired.
  const rows = await dayAlerts(db, dayStart, cutoff, LISTED_ALERTS);
  return {
    opened: Number(c?.opened ?? 0),
    resolved: Number(c?.resolved ?? 0),
    open: Number(c?.open ?? 0),
    total: Number(c?.total ?? 0),
    items: rows.map((a) => {
      const resolved = a.resolved_at !== null && a.resolved_at <= cutoff;
      const origin = a.origin === 'simulated' || a.origin === 'replayed' ? a.origin : null;
      return { id: a.id, rule: a.rule_id, site: a.site, siteName: a.site_name, source: a.source_id, parameter: a.parameter, severity: a.severity, state: resolved ? 'resolved' : 'firing', firedAt: a.fired_at.toISOString(), resolvedAt: resolved ? (a.resolved_at as Date).toISOString() : null, late: a.late, ...originFields(origin) };
    }),
  };
}
