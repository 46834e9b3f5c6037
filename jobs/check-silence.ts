/**
 * `check-silence`: one no-data rule at one scheduled minute. Each source in scope is compared with what it must
 * deliver — every series it ever delivered and what its configuration names (evaluate/silence.ts) — and what is
 * silent opens an alert at the widest silent level, each change with its event and outbox row in one transaction
 * per source.
 *
 * - Silent data that once arrived fires at once (its silence is measured from its newest data).
 * - An expected part that never delivered anything first waits (`pending`, nothing notified: a new installation's
 *   first check may come before its first pull) and fires once it has waited `afterMinutes` since the check first
 *   found it waiting — so it never stays silent for good.
 * - An alert resolves only when data arrived for what it covers. One that a wider silent part now covers stays
 *   open; one whose part is no longer expected (the configuration changed) resolves saying so.
 */
import { z } from 'zod';
import type { NoDataRuleConfig } from '../config/schema.ts';
import { inClientTransaction } from '../db/client-transaction.ts';
import { insertAlert, lockAlertKey, queueNotification, recordAlertEvent, updateAlert } from '../db/repositories/alerts.repository.ts';
import { openNoDataAlerts } from '../db/repositories/no-data-alerts.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { deliveredSeries } from '../db/repositories/source-series.repository.ts';
import { silencesInForce } from '../db/repositories/silences.repository.ts';
import { configuredExpectations, expectedSeries, newest, silentParts, withinScope, type Silence } from '../evaluate/silence.ts';
import { suppressionFor } from '../evaluate/suppression.ts';
import { originOfKind } from '../lib/data-origin.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';
import { notifySoon } from './notify.ts';

export const checkSilencePayloadSchema = z.object({
  ruleId: z.string().min(1),
  /** The scheduled minute the check stands for; silence is measured up to it. */
  slot: z.iso.datetime(),
});
export type CheckSilencePayload = z.infer<typeof checkSilencePayloadSchema>;

export const checkSilenceJob = defineJob({
  name: 'check-silence',
  payloadSchema: checkSilencePayloadSchema,
  options: (payload, defaults) => ({ jobId: jobId('check-silence', payload.ruleId, payload.slot), attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  // Each source's check is one transaction that finds the state it left: running it again is safe.
  stalls: 10,
  process: async (payload: CheckSilencePayload, deps: JobDeps) => {
    const rule = deps.config.rules.find((r): r is NoDataRuleConfig => r.kind === 'no_data' && r.id === payload.ruleId);
    if (!rule) return { outcome: 'skipped', reason: 'no such no-data rule' };
    const now = new Date(payload.slot);
    let changes = 0;
    for (const source of rule.sources) changes += await checkSource(rule, source, now, deps);
    if (changes > 0) await notifySoon(deps);
    return { outcome: 'checked', changes };
  },
});

/** What an open no-data alert's evidence says about what it covers. */
interface NoDataEvidence {
  level: Silence['level'];
  site?: string | null;
  parameter?: string | null;
  latest?: string | null;
}

const MINUTE_MS = 60_000;

async function checkSource(rule: NoDataRuleConfig, source: string, now: Date, deps: JobDeps): Promise<number> {
  const sourceConfig = deps.config.sources.find((s) => s.id === source);
  const origin = originOfKind(sourceConfig?.kind);
  const series = expectedSeries(configuredExpectations(sourceConfig), await deliveredSeries(deps.db, source));
  const parts = silentParts(series, now, rule.afterMinutes);
  const prefix = `${rule.id}|${source}`;
  const siteIds = await siteIdsByCode(deps.db, parts.flatMap((p) => (p.site ? [p.site] : [])));
  const silences = await silencesInForce(deps.db, deps.config.maintenance, now);
  const held = (part: { site?: string | null | undefined; parameter?: string | null | undefined }) => suppressionFor(silences, { rule: rule.id, source, site: part.site ?? null, parameter: part.parameter ?? null }, now, now);
  // The source's configured name rides along, so that texts say 北京站点回放 rather than beijing-replay.
  const describe = (part: { level: string; site?: string | null | undefined; parameter?: string | null | undefined }) => ({ kind: 'no_data', rule: rule.id, source, ...(sourceConfig?.name ? { sourceName: sourceConfig.name } : {}), origin, level: part.level, site: part.site ?? null, parameter: part.parameter ?? null });
  return inClientTransaction(deps.pool, async ({ db }) => {
    await lockAlertKey(db, prefix);
    const open = await openNoDataAlerts(db, rule.id, source);
    const openByKey = new Map(open.map((a) => [a.dedup_key, a]));
    const wanted = new Map(parts.map((p) => [p.scope === 'source' ? prefix : `${prefix}|${p.scope}`, p]));
    let changes = 0;
    for (const [key, part] of wanted) {
      const existing = openByKey.get(key);
      const neverDelivered = part.latest === null;
      // Silence runs from the newest data; for what never delivered, from when a check first found it waiting.
      const since = part.latest ?? existing?.first_seen_at ?? now;
      const evidence = {
        ...describe(part),
        latest: part.latest?.toISOString() ?? null,
        neverDelivered,
        ...(neverDelivered ? { expectedSince: since.toISOString() } : {}),
        silentMinutes: Math.round((now.getTime() - since.getTime()) / MINUTE_MS),
        afterMinutes: rule.afterMinutes,
        series: part.series,
      };
      const due = !neverDelivered || now.getTime() - since.getTime() >= rule.afterMinutes * MINUTE_MS;
      if (existing && (existing.state === 'firing' || !due)) {
        await updateAlert(db, existing.id, { at: now, evidence });
        continue;
      }
      if (existing) {
        await updateAlert(db, existing.id, { state: 'firing', at: now, evidence, firedAt: now });
        await recordAlertEvent(db, existing.id, 'pending', 'firing', evidence, `no data for ${rule.afterMinutes} minutes since expected`);
        await queueNotification(db, 'alert', existing.id, `alert:${existing.id}:firing`, evidence, held(part));
        changes++;
        continue;
      }
      const id = await insertAlert(db, {
        dedupKey: key,
        ruleId: rule.id,
        siteId: part.site ? (siteIds.get(part.site) ?? null) : null,
        parameterId: part.parameter ? (deps.parameterIds.get(part.parameter) ?? null) : null,
        sourceId: source,
        state: due ? 'firing' : 'pending',
        severity: rule.severity,
        at: now,
        late: false,
        evidence,
      });
      await recordAlertEvent(db, id, null, due ? 'firing' : 'pending', evidence, due ? undefined : 'expected data never delivered: waiting');
      if (due) await queueNotification(db, 'alert', id, `alert:${id}:firing`, evidence, held(part));
      changes++;
    }
    for (const alert of open) {
      if (wanted.has(alert.dedup_key)) continue;
      const covered = alert.evidence as NoDataEvidence;
      const scoped = withinScope(series, covered);
      const before = covered.latest ? Date.parse(covered.latest) : null;
      const resumed = scoped.some((s) => s.latest !== null && (before === null || s.latest.getTime() > before));
      const wider = [...wanted].find(([, p]) => p.level === 'source' || (p.level === 'site' && covered.level === 'parameter' && p.site === covered.site));
      if (!resumed && wider) {
        // Still silent, now inside a wider silent part that has its own alert: kept open, not resolved.
        await updateAlert(db, alert.id, { at: now, evidence: { ...(alert.evidence as object), coveredBy: wider[0] } });
        continue;
      }
      const reason = resumed ? 'data_resumed' : 'no_longer_expected';
      const latest = newest(scoped);
      const evidence = { ...describe(covered), latest: latest?.toISOString() ?? null, resumed: now.toISOString(), reason };
      await updateAlert(db, alert.id, { state: 'resolved', at: now, evidence, resolvedAt: now });
      await recordAlertEvent(db, alert.id, alert.state, 'resolved', evidence, resumed ? 'data resumed' : 'no longer expected by the configuration');
      // A pending alert was never notified, so its end is not either.
      if (alert.state === 'firing') await queueNotification(db, 'resolution', alert.id, `alert:${alert.id}:resolved`, evidence, held(covered));
      changes++;
    }
    return changes;
  });
}
