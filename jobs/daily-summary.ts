/**
 * `daily-summary`: queues the daily summary of the natural day before the scheduled morning, once per report date
 * however many instances schedule it (job id and outbox key are the date). The `notify` run routes it to every
 * recipient who takes it and builds the report when it sends.
 */
import { z } from 'zod';
import { queueDailySummary } from '../db/repositories/report-outbox.repository.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';
import { defineJob, jobId } from './job-definition.ts';

export const dailySummaryPayloadSchema = z.object({
  /** The report date (YYYY-MM-DD, a natural day in Beijing time). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type DailySummaryPayload = z.infer<typeof dailySummaryPayloadSchema>;

/** The report date of a scheduled morning: the Beijing calendar day before it. */
export function reportDateFor(slot: Date): string {
  return new Date(slot.getTime() + BEIJING_OFFSET_MS - DAY_MS).toISOString().slice(0, 10);
}

export const dailySummaryJob = defineJob({
  name: 'daily-summary',
  payloadSchema: dailySummaryPayloadSchema,
  options: (payload, defaults) => ({ jobId: jobId('daily-summary', payload.date), attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  // Queued once per date by its dedup key: running it again is safe.
  stalls: 10,
  process: async (payload: DailySummaryPayload, deps) => ({ date: payload.date, queued: await queueDailySummary(deps.db, payload.date) }),
});
