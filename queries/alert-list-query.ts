/**
 * Alerts as the console lists and shows them: with site and parameter names, the origin of their data, and the
 * state an operator reads — resolved, else silenced (a silence or maintenance window in force covers it), else
 * acknowledged, else pending or firing.
 */
import type { Kysely } from 'kysely';
import type { MaintenanceConfig } from '../config/schema.ts';
import { consoleAlertHistory } from '../db/repositories/alert-history.repository.ts';
import { listAudit } from '../db/repositories/audit.repository.ts';
import { consoleAlertById, consoleAlertsResolvedSince, openConsoleAlerts, type ConsoleAlertRow } from '../db/repositories/console-alerts.repository.ts';
import { silencesInForce } from '../db/repositories/silences.repository.ts';
import type { Database } from '../db/schema.ts';
import type { ActiveSilence } from '../db/repositories/silences.repository.ts';
import { coveringSilence } from '../evaluate/suppression.ts';
import type { DataOrigin } from '../lib/data-origin.ts';
import { DAY_MS } from '../lib/time.ts';
import { alertOrigins } from './alerts-query.ts';

export type DisplayState = 'pending' | 'firing' | 'acknowledged' | 'silenced' | 'resolved';

export interface ConsoleAlert {
  id: number;
  ruleId: string;
  state: 'pending' | 'firing' | 'resolved';
  displayState: DisplayState;
  severity: 'info' | 'warning' | 'critical';
  site: { code: string; nameZh: string; nameEn: string; kind: string } | null;
  parameter: string | null;
  sourceId: string | null;
  firstSeenAt: Date;
  firedAt: Date | null;
  resolvedAt: Date | null;
  lastEvaluatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
  late: boolean;
  evidence: Record<string, unknown>;
  origin: DataOrigin | null;
  /** The silence holding back its notifications now (none for a resolved alert). */
  silence: ActiveSilence | null;
}

/** How far back "recently resolved" reaches. */
const RECENT_MS = 7 * DAY_MS;

async function toConsoleAlerts(db: Kysely<Database>, rows: readonly ConsoleAlertRow[], silences: readonly ActiveSilence[], now: Date): Promise<ConsoleAlert[]> {
  const origins = await alertOrigins(db, rows);
  return rows.map((r) => {
    const silence = r.state === 'resolved' ? null : coveringSilence(silences, { rule: r.rule_id, site: r.siteCode, parameter: r.parameterCode, source: r.source_id }, r.last_evaluated_at, now);
    const displayState: DisplayState = r.state === 'resolved' ? 'resolved' : silence ? 'silenced' : r.acknowledged_at ? 'acknowledged' : r.state;
    return {
      id: r.id,
      ruleId: r.rule_id,
      state: r.state,
      displayState,
      severity: r.severity,
      site: r.siteCode ? { code: r.siteCode, nameZh: r.siteNameZh ?? r.siteCode, nameEn: r.siteNameEn ?? r.siteCode, kind: r.siteKind ?? '' } : null,
      parameter: r.parameterCode,
      sourceId: r.source_id,
      firstSeenAt: r.first_seen_at,
      firedAt: r.fired_at,
      resolvedAt: r.resolved_at,
      lastEvaluatedAt: r.last_evaluated_at,
      acknowledgedAt: r.acknowledged_at,
      acknowledgedBy: r.acknowledged_by,
      ackNote: r.ack_note,
      late: r.late,
      evidence: typeof r.evidence === 'object' && r.evidence !== null ? (r.evidence as Record<string, unknown>) : {},
      origin: origins.get(r.id) ?? null,
      silence,
    };
  });
}

/** Open alerts (at most 500, newest first) and those resolved in the last seven days (at most 100). */
export async function consoleAlertList(db: Kysely<Database>, maintenance: readonly MaintenanceConfig[], now: Date): Promise<{ open: ConsoleAlert[]; recent: ConsoleAlert[] }> {
  const silences = await silencesInForce(db, maintenance, now);
  const open = await openConsoleAlerts(db);
  const recent = await consoleAlertsResolvedSince(db, new Date(now.getTime() - RECENT_MS));
  return { open: await toConsoleAlerts(db, open, silences, now), recent: await toConsoleAlerts(db, recent, silences, now) };
}

/** One alert with its history (at most 500 events) and the audit entries about it (at most 100); undefined if none. */
export async function consoleAlert(db: Kysely<Database>, id: number, maintenance: readonly MaintenanceConfig[], now: Date) {
  const row = await consoleAlertById(db, id);
  if (!row) return undefined;
  const [alert] = await toConsoleAlerts(db, [row], await silencesInForce(db, maintenance, now), now);
  const history = await consoleAlertHistory(db, id);
  const audit = await listAudit(db, { limit: 100, target: `alert:${id}` });
  return alert ? { alert, history, audit } : undefined;
}
