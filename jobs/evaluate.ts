/**
 * `evaluate`: after a batch is stored, pays what its site owes (evaluate/finish-pending.ts): the rolling windows
 * its hours touch, the watermark and the rules over exactly those hours and windows — alert state, events and
 * notification-outbox rows — in one transaction with the deletion of the site's pending marks. Data older than two
 * hours is labelled late; data at or before the latest evaluated time of an alert key is judged as late data,
 * never firing twice.
 *
 * Retrying is safe by construction: an attempt that dies leaves the marks and nothing else, so the next attempt
 * does exactly what the first would have. A job that finds its site's marks already paid (by an earlier job of the
 * site, the recovery or an import) has nothing to do; one that fails for good leaves them to the recovery.
 */
import { z } from 'zod';
import { markPending } from '../db/repositories/windows-pending.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { finishPending } from '../evaluate/finish-pending.ts';
import { defineJob } from './job-definition.ts';
import { alertsChanged, notifySoon } from './notify.ts';

export const evaluatePayloadSchema = z.object({
  site: z.string().min(1),
  /** Per parameter: hour ends in (from, to] were stored or revised; `to` is the newest of them. */
  series: z.array(z.object({ parameter: z.string().min(1), from: z.iso.datetime(), to: z.iso.datetime() })).min(1),
  /**
   * The batch left windows-pending marks for these hours (every batch stored by this version does). A job queued
   * by an earlier version lacks it and marks its own hours first, so that they are evaluated all the same.
   */
  marked: z.boolean().optional(),
});
export type EvaluatePayload = z.infer<typeof evaluatePayloadSchema>;

export const evaluateJob = defineJob({
  name: 'evaluate',
  payloadSchema: evaluatePayloadSchema,
  options: (_payload, defaults) => ({ attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  // A worker that dies inside the job leaves nothing of it behind: taking the job up again is always safe.
  stalls: 10,
  process: async (payload: EvaluatePayload, deps) => {
    const siteId = (await siteIdsByCode(deps.db, [payload.site])).get(payload.site);
    if (siteId === undefined) return { outcome: 'skipped', reason: 'unknown site' };
    if (payload.marked !== true) {
      const spans = payload.series.flatMap((s) => {
        const parameterId = deps.parameterIds.get(s.parameter);
        return parameterId === undefined ? [] : [{ siteId, parameterId, from: new Date(s.from), to: new Date(s.to) }];
      });
      await markPending(deps.db, spans, true);
    }
    const result = await finishPending(deps, { siteIds: [siteId], wait: true });
    // Committed: its notifications go out now, not at the next minute.
    if (alertsChanged(result.alerts)) await notifySoon(deps);
    return { outcome: result.marks > 0 ? 'evaluated' : 'nothing pending', series: result.series, alerts: result.alerts };
  },
});
