/**
 * `check-silence`: one no-data rule at one scheduled minute. Each source in scope is compared with the series it
 * fed over the last 31 days; what is silent opens an alert at the widest silent level, what has resumed resolves,
 * each change with its event and outbox row in one transaction per source.
 */
import { z } from 'zod';
import type { NoDataRuleConfig } from '../config/schema.ts';
import { inClientTransaction } from '../db/client-transaction.ts';
import { insertAlert, lockAlertKey, queueNotification, recordAlertEvent, updateAlert } from '../db/repositories/alerts.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { sourceActivity } from '../db/repositories/source-activity.repository.ts';
import { silencesInForce } from '../db/repositories/silences.repository.ts';
import { silentParts } from '../evaluate/silence.ts';
import { suppressionFor } from '../evaluate/suppression.ts';
import { DAY_MS } from '../lib/time.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';

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
    return { outcome: 'checked', changes };
  },
});

async function checkSource(rule: NoDataRuleConfig, source: string, now: Date, deps: JobDeps): Promise<number> {
  const parts = silentParts(await sourceActivity(deps.db, source, new Date(now.getTime() - 31 * DAY_MS)), now, rule.afterMinutes);
  const prefix = `${rule.id}|${source}`;
  const siteIds = await siteIdsByCode(deps.db, parts.flatMap((p) => (p.site ? [p.site] : [])));
  const silences = await silencesInForce(deps.db, deps.config.maintenance, now);
  const held = (part: { site?: string | undefined; parameter?: string | undefined }) => suppressionFor(silences, { rule: rule.id, source, site: part.site ?? null, parameter: part.parameter ?? null }, now, now);
  return inClientTransaction(deps.pool, async ({ db }) => {
    await lockAlertKey(db, prefix);
    const open = await db.selectFrom('alert').select(['id', 'dedup_key', 'state']).where('rule_id', '=', rule.id).where('source_id', '=', source).where('state', '<>', 'resolved').execute();
    const openByKey = new Map(open.map((a) => [a.dedup_key, a]));
    const wanted = new Map(parts.map((p) => [p.scope === 'source' ? prefix : `${prefix}|${p.scope}`, p]));
    let changes = 0;
    for (const [key, part] of wanted) {
      const evidence = { rule: rule.id, source, level: part.level, site: part.site ?? null, parameter: part.parameter ?? null, latest: part.latest.toISOString(), silentMinutes: Math.round((now.getTime() - part.latest.getTime()) / 60_000), afterMinutes: rule.afterMinutes, series: part.series };
      const existing = openByKey.get(key);
      if (existing) {
        await updateAlert(db, existing.id, { at: now, evidence });
        continue;
      }
      const id = await insertAlert(db, {
        dedupKey: key,
        ruleId: rule.id,
        siteId: part.site ? (siteIds.get(part.site) ?? null) : null,
        parameterId: part.parameter ? (deps.parameterIds.get(part.parameter) ?? null) : null,
        sourceId: source,
        state: 'firing',
        severity: rule.severity,
        at: now,
        late: false,
        evidence,
      });
      await recordAlertEvent(db, id, null, 'firing', evidence);
      await queueNotification(db, 'alert', id, `alert:${id}:firing`, evidence, held(part));
      changes++;
    }
    for (const alert of open) {
      if (wanted.has(alert.dedup_key)) continue;
      const evidence = { rule: rule.id, source, resumed: now.toISOString() };
      await updateAlert(db, alert.id, { state: 'resolved', at: now, evidence, resolvedAt: now });
      await recordAlertEvent(db, alert.id, alert.state, 'resolved', evidence, 'data resumed');
      await queueNotification(db, 'resolution', alert.id, `alert:${alert.id}:resolved`, evidence, held({}));
      changes++;
    }
    return changes;
  });
}
