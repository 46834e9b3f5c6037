/**
 * `derive-minute-hours`: derives the hourly values of hours whose minute data changed (ingest/derive-minute-hours.ts)
 * and queues their evaluation. Runs every minute, at start-up by the scheduler's catch-up, and after an ingest that
 * stored minutes of an hour already ended. Only ended hours are derived; an hour still filling waits for its end.
 */
import { z } from 'zod';
import { deriveMinuteHours } from '../ingest/derive-minute-hours.ts';
import { evaluateJob } from './evaluate.ts';
import { defineJob, jobId } from './job-definition.ts';

/** Every minute: an hour's value is there within a minute or two of its end. */
export const DERIVE_MINUTE_HOURS_SCHEDULE = '* * * * *';

export const deriveMinuteHoursPayloadSchema = z.object({
  /** The minute this run stands for (scheduled slot, or the minute an ingest asked for it). */
  slot: z.iso.datetime(),
  /** Asked for by an ingest: runs `TRIGGER_DELAY_MS` after the first ask of its slot, so it sees the whole slot's data. */
  afterIngest: z.boolean().optional(),
});
export type DeriveMinuteHoursPayload = z.infer<typeof deriveMinuteHoursPayloadSchema>;

export const deriveMinuteHoursJob = defineJob({
  name: 'derive-minute-hours',
  payloadSchema: deriveMinuteHoursPayloadSchema,
  // One run per minute across instances and ingest triggers; a failed run leaves its marks to the next one.
  options: (payload) =>
    payload.afterIngest
      ? { jobId: jobId('derive-minute-hours', 'ingest', payload.slot), attempts: 1, delay: TRIGGER_DELAY_MS }
      : { jobId: jobId('derive-minute-hours', payload.slot), attempts: 1 },
  // The marks are taken and paid in one transaction: a run taken up again after its worker died is safe.
  stalls: 10,
  process: async (_payload: DeriveMinuteHoursPayload, deps) => {
    const result = await deriveMinuteHours(deps, deps.now());
    for (const [site, series] of result.changed) await deps.enqueue(evaluateJob, { site, series, marked: true });
    return { hours: result.hours, derived: result.derived, insufficient: result.insufficient, station: result.station, sites: result.changed.size };
  },
});

/**
 * Ingests of one slot share one run. Every ingest of a slot stores its minutes before it asks, and the run starts at
 * least this long after the first ask, so no earlier than the slot's end: it sees every minute the slot stored. Two
 * seconds: an hour's alerts wait for its derivation, and the grid's uploads of one minute arrive batched (a few ingest
 * jobs), so a short slot costs few runs.
 */
const TRIGGER_DELAY_MS = 2_000;

/** The slot of a run an ingest asks for. */
export function deriveSlot(now: Date): string {
  return new Date(Math.floor(now.getTime() / TRIGGER_DELAY_MS) * TRIGGER_DELAY_MS).toISOString();
}
