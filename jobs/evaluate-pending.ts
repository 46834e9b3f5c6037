/**
 * `evaluate-pending`: the recovery of evaluations that never finished. Every few minutes (and at start-up, by the
 * scheduler's catch-up) it finishes the windows-pending marks (evaluate/finish-pending.ts) older than
 * `STALE_AFTER_SECONDS`: those of an `evaluate` job that failed for good or was lost with its worker, of an ingest
 * retried after its data committed, of an import killed before its end. Younger marks are left to the job that
 * was queued for them. A site another evaluation is working on is skipped (that one pays its marks), so a site is
 * never evaluated twice at once; what is left waits for the next run.
 */
import { z } from 'zod';
import { finishPending } from '../evaluate/finish-pending.ts';
import { defineJob, jobId } from './job-definition.ts';
import { alertsChanged, notifySoon } from './notify.ts';

/** Marks this old should long have been paid by their own job (which runs within seconds, retries within minutes). */
export const STALE_AFTER_SECONDS = 5 * 60;

/** How often the service looks for marks left behind. */
export const EVALUATE_PENDING_SCHEDULE = '*/5 * * * *';

export const evaluatePendingPayloadSchema = z.object({
  /** The scheduled minute this run stands for. */
  slot: z.iso.datetime(),
});
export type EvaluatePendingPayload = z.infer<typeof evaluatePendingPayloadSchema>;

export const evaluatePendingJob = defineJob({
  name: 'evaluate-pending',
  payloadSchema: evaluatePendingPayloadSchema,
  // One run per slot across instances; a failed run is followed by the next one.
  options: (payload) => ({ jobId: jobId('evaluate-pending', payload.slot), attempts: 1 }),
  stalls: 10,
  process: async (_payload: EvaluatePendingPayload, deps) => {
    const result = await finishPending(deps, { olderThanSeconds: STALE_AFTER_SECONDS, wait: false, isolateFailures: true });
    if (alertsChanged(result.alerts)) await notifySoon(deps);
    if (result.marks > 0) {
      deps.log.warn('finished evaluations left pending', { sites: result.sites, series: result.series, alerts: result.alerts });
    }
    return { finished: result.sites, busy: result.busy, failed: result.failed, series: result.series, alerts: result.alerts };
  },
});
