/**
 * `evaluate`: after a batch is stored, refreshes the rolling windows its hours touch and runs the rules over
 * exactly those hours and windows (evaluate/evaluate-changes.ts). Every alert state change is written with its
 * event and notification-outbox row in one transaction; data older than two hours is labelled late, and data at
 * or before the latest evaluated time of an alert key is judged as late data, never firing twice.
 */
import { z } from 'zod';
import { evaluateChanges } from '../evaluate/evaluate-changes.ts';
import { defineJob } from './job-definition.ts';

export const evaluatePayloadSchema = z.object({
  site: z.string().min(1),
  /** Per parameter: hour ends in (from, to] were stored or revised; `to` is the newest of them. */
  series: z.array(z.object({ parameter: z.string().min(1), from: z.iso.datetime(), to: z.iso.datetime() })).min(1),
});
export type EvaluatePayload = z.infer<typeof evaluatePayloadSchema>;

export const evaluateJob = defineJob({
  name: 'evaluate',
  payloadSchema: evaluatePayloadSchema,
  options: (_payload, defaults) => ({ attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  process: async (payload: EvaluatePayload, deps) => evaluateChanges(deps, new Map([[payload.site, payload.series]])),
});
