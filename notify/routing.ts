/** Who receives an alert notification, and when (quiet hours) — pure functions of the configuration. */
import type { RecipientConfig } from '../config/schema.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';

export type Severity = 'info' | 'warning' | 'critical';
const rank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface AlertFacts {
  rule: string;
  severity: Severity;
  site: { code: string; kind: string; area: string } | null;
  parameter: string | null;
}

/** A recipient receives an alert when any of its subscriptions matches it (every criterion of one subscription). */
export function subscribes(recipient: RecipientConfig, alert: AlertFacts): boolean {
  return recipient.subscriptions.some(
    (s) =>
      rank[alert.severity] >= rank[s.minSeverity] &&
      (s.rules === undefined || s.rules.includes(alert.rule)) &&
      (s.sites === undefined || (alert.site !== null && s.sites.includes(alert.site.code))) &&
      (s.areas === undefined || (alert.site !== null && s.areas.includes(alert.site.area))) &&
      (s.siteKinds === undefined || (alert.site !== null && (s.siteKinds as readonly string[]).includes(alert.site.kind))) &&
      (s.parameters === undefined || (alert.parameter !== null && s.parameters.includes(alert.parameter))),
  );
}

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/**
 * When a message due at `due` may go out to a recipient: at once for critical alerts or outside quiet hours,
 * else at the end of the quiet period (Beijing time; a period like 22:00–07:00 spans midnight).
 */
export function releaseTime(due: Date, severity: Severity, quiet: RecipientConfig['quietHours']): Date {
  if (!quiet || severity === 'critical') return due;
  const local = due.getTime() + BEIJING_OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  const minute = Math.floor((local - dayStart) / 60_000);
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const inside = from <= to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!inside) return due;
  // The period ends today at `to`, or tomorrow when it began this evening and runs past midnight.
  const endToday = dayStart + to * 60_000;
  const end = from > to && minute >= from ? endToday + DAY_MS : endToday;
  return new Date(end - BEIJING_OFFSET_MS);
}
