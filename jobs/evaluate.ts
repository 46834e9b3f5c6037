/**
 * `evaluate`: runs the threshold rules of one site over the hours a stored batch touched. Each rule's rolling
 * value goes, hour by hour, through the alert state machine (persistence, hysteresis); every state change is
 * written with its event — and, when it fires or resolves, its notification-outbox row — in one transaction.
 * A value older than two hours at evaluation is labelled late; times already evaluated are not evaluated again.
 */
import { z } from 'zod';
import type { ThresholdRuleConfig } from '../config/schema.ts';
import { inClientTransaction } from '../db/client-transaction.ts';
import { insertAlert, lastEvaluated, lockAlertKey, openAlert, queueNotification, recordAlertEvent, updateAlert } from '../db/repositories/alerts.repository.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { evaluateThreshold, type AlertMemory } from '../evaluate/alert-state.ts';
import { HOUR_MS } from '../lib/time.ts';
import { seriesBySite, windowStatistics } from '../standards/air-series.ts';
import { defineJob } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';

export const evaluatePayloadSchema = z.object({
  site: z.string().min(1),
  parameters: z.array(z.string().min(1)).min(1),
  /** Hours ending in (from, to] were stored or revised. */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
});
export type EvaluatePayload = z.infer<typeof evaluatePayloadSchema>;

const LATE_AFTER_MS = 2 * HOUR_MS;
const windowHours = { '1h': 1, '8h': 8, '24h': 24 } as const;

export const evaluateJob = defineJob({
  name: 'evaluate',
  payloadSchema: evaluatePayloadSchema,
  options: (_payload, defaults) => ({ attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  process: async (payload: EvaluatePayload, deps: JobDeps) => {
    const site = deps.config.sites.find((s) => s.code === payload.site);
    const rules = deps.config.rules.filter((r): r is ThresholdRuleConfig => r.kind === 'threshold' && payload.parameters.includes(r.parameter) && inScope(r, payload.site, site));
    const siteId = rules.length > 0 ? ((await siteIdsByCode(deps.db, [payload.site])).get(payload.site) ?? null) : null;
    let transitions = 0;
    for (const rule of rules) transitions += await evaluateRule(rule, payload, siteId, deps);
    return { rules: rules.length, transitions };
  },
});

function inScope(rule: ThresholdRuleConfig, code: string, site: { kind: string; area: string } | undefined): boolean {
  const s = rule.scope;
  return (s.sites?.includes(code) ?? false) || (site !== undefined && ((s.siteKinds?.includes(site.kind as never) ?? false) || (s.areas?.includes(site.area) ?? false)));
}

async function evaluateRule(rule: ThresholdRuleConfig, payload: EvaluatePayload, siteId: number | null, deps: JobDeps): Promise<number> {
  const from = new Date(payload.from);
  const to = new Date(payload.to);
  // A moving mean ending at an hour after the batch still contains the batch's hours.
  const span = windowHours[rule.window] * HOUR_MS;
  const series = seriesBySite(await hourlyValues(deps.db, [payload.site], [rule.parameter], new Date(from.getTime() - span), new Date(to.getTime() + span - HOUR_MS))).get(payload.site);
  const windows = windowStatistics(series ?? new Map<string, Map<number, string>>(), rule.parameter, rule.window, from, new Date(to.getTime() + span - HOUR_MS)).filter((w) => w.valid && w.value !== null);
  if (windows.length === 0) return 0;
  const dedupKey = `${rule.id}|${payload.site}|${rule.parameter}`;
  const parameterId = deps.parameterIds.get(rule.parameter) ?? null;
  const now = deps.now().getTime();

  return inClientTransaction(deps.pool, async ({ db }) => {
    await lockAlertKey(db, dedupKey);
    let open = await openAlert(db, dedupKey);
    const seen = await lastEvaluated(db, dedupKey);
    let memory: AlertMemory = {
      state: open?.state === 'firing' ? 'firing' : open?.state === 'pending' ? 'pending' : 'ok',
      breaches: open ? Number((open.evidence as { breaches?: number }).breaches ?? 0) : 0,
      lastEvaluatedAt: seen ? seen.getTime() : null,
    };
    let transitions = 0;
    for (const w of windows) {
      const at = w.time;
      const step = evaluateThreshold(memory, { direction: rule.direction, limit: rule.limit, forEvaluations: rule.forEvaluations, ...(rule.clearAt === undefined ? {} : { clearAt: rule.clearAt }) }, Number(w.value), at.getTime());
      memory = step.memory;
      if (step.transition === 'none' && !open) continue;
      const late = now - at.getTime() > LATE_AFTER_MS;
      const evidence = {
        rule: rule.id,
        site: payload.site,
        parameter: rule.parameter,
        value: w.value,
        time: at.toISOString(),
        window: rule.window,
        validCount: w.validCount,
        direction: rule.direction,
        limit: rule.limit,
        limitSource: rule.limitSource,
        breaches: memory.breaches,
        late,
      };
      switch (step.transition) {
        case 'pending': {
          const id = await insertAlert(db, { dedupKey, ruleId: rule.id, siteId, parameterId, state: 'pending', severity: rule.severity, at, late, evidence });
          await recordAlertEvent(db, id, null, 'pending', evidence);
          open = { id, state: 'pending', last_evaluated_at: at, evidence };
          break;
        }
        case 'fired': {
          const id = open ? open.id : await insertAlert(db, { dedupKey, ruleId: rule.id, siteId, parameterId, state: 'firing', severity: rule.severity, at, late, evidence });
          if (open) await updateAlert(db, open.id, { state: 'firing', at, evidence, firedAt: at });
          await recordAlertEvent(db, id, open?.state ?? null, 'firing', evidence);
          await queueNotification(db, 'alert', id, `alert:${id}:firing`, evidence);
          open = { id, state: 'firing', last_evaluated_at: at, evidence };
          break;
        }
        case 'resolved':
        case 'cancelled': {
          if (!open) break;
          await updateAlert(db, open.id, { state: 'resolved', at, evidence, resolvedAt: at });
          await recordAlertEvent(db, open.id, open.state, 'resolved', evidence, step.transition === 'cancelled' ? 'breach did not persist' : undefined);
          if (step.transition === 'resolved') await queueNotification(db, 'resolution', open.id, `alert:${open.id}:resolved`, evidence);
          open = undefined;
          break;
        }
        case 'none':
          if (open) await updateAlert(db, open.id, { at, evidence: { ...evidence, breaches: memory.breaches } });
          continue;
      }
      transitions++;
    }
    return transitions;
  });
}
