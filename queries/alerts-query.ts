/**
 * Alerts for `envmon alerts list|show` and GET /api/alerts. Every alert carries the origin of its data — `origin`
 * simulated / replayed with `originLabel` 模拟数据 / 回放数据 for demonstration data, null for measured data — as its
 * evidence recorded it, or, for alerts recorded before evidence carried it, from the sources that fed its series
 * (or site) around its time, and for no-data alerts from the kind of the silent source.
 */
import type { Kysely } from 'kysely';
import { alertHistory } from '../db/repositories/alert-history.repository.ts';
import { alertById, listAlerts } from '../db/repositories/alert-list.repository.ts';
import { demoDeliveries } from '../db/repositories/source-series.repository.ts';
import { sourceKinds } from '../db/repositories/sources.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields, originOfKind, strongestOrigin, type DataOrigin } from '../lib/data-origin.ts';
import { DAY_MS } from '../lib/time.ts';

/** Alerts with site and parameter, newest first; open ones unless `all`. */
export async function alertsQuery(db: Kysely<Database>, options: { all: boolean; limit: number }) {
  const rows = await listAlerts(db, { all: options.all, limit: Math.max(1, Math.min(10_000, options.limit)) });
  const origins = await alertOrigins(db, rows);
  return rows.map(({ site_id: _site, parameter_id: _parameter, source_id: _source, last_evaluated_at: _last, ...row }) => ({ ...row, ...originFields(origins.get(row.id)) }));
}

/** One alert with its history, for `envmon alerts show`; undefined if there is none. */
export async function alertWithHistory(db: Kysely<Database>, id: number) {
  const alert = await alertById(db, id);
  if (!alert) return undefined;
  const history = await alertHistory(db, id);
  const origins = await alertOrigins(db, [alert]);
  return { ...alert, ...originFields(origins.get(alert.id)), history };
}

interface AlertFacts {
  id: number;
  site_id: number | null;
  parameter_id: number | null;
  source_id: string | null;
  first_seen_at: Date;
  last_evaluated_at: Date;
  evidence: unknown;
}

/** The origin of each alert's data (absent: measured), as the alert list and the console show it. */
export async function alertOrigins(db: Kysely<Database>, alerts: readonly AlertFacts[]): Promise<Map<number, DataOrigin>> {
  const out = new Map<number, DataOrigin>();
  const unknown: AlertFacts[] = [];
  for (const a of alerts) {
    const recorded = (a.evidence as { origin?: unknown } | null)?.origin;
    if (recorded === 'simulated' || recorded === 'replayed') out.set(a.id, recorded);
    else if (recorded === undefined) unknown.push(a);
  }
  const sourceIds = [...new Set(unknown.flatMap((a) => (a.source_id ? [a.source_id] : [])))];
  const kinds = await sourceKinds(db, sourceIds);
  const deliveries = await demoDeliveries(db, unknown.flatMap((a) => (a.site_id === null || a.source_id ? [] : [a.site_id])));
  for (const a of unknown) {
    // The data an alert judged reach back a day before it was first seen (a 24-hour mean).
    const from = a.first_seen_at.getTime() - DAY_MS;
    const fed = deliveries.filter((d) => d.siteId === a.site_id && (a.parameter_id === null || d.parameterId === a.parameter_id) && d.latest.getTime() >= from && d.first.getTime() <= a.last_evaluated_at.getTime());
    const origin = a.source_id ? originOfKind(kinds.get(a.source_id)) : strongestOrigin(fed.map((d) => d.origin));
    if (origin) out.set(a.id, origin);
  }
  return out;
}
