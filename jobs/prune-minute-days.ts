/**
 * `prune-minute-days`: each night, drops the days of minute data older than `retention.minuteDays`
 * (ingest/minute-retention.ts), as `envmon partitions prune` does. A day whose hours are still to derive stays and
 * is tried the next night; that is logged, since a day that never goes means derivations that never finish.
 */
import { z } from 'zod';
import { pruneMinuteDays } from '../ingest/minute-retention.ts';
import { defineJob, jobId } from './job-definition.ts';

/** 03:30 Beijing time: after the day's derivations and the morning's reports, before the day's work. */
export const PRUNE_MINUTE_DAYS_SCHEDULE = '30 3 * * *';

export const pruneMinuteDaysPayloadSchema = z.object({
  /** The scheduled minute this run stands for. */
  slot: z.iso.datetime(),
});
export type PruneMinuteDaysPayload = z.infer<typeof pruneMinuteDaysPayloadSchema>;

export const pruneMinuteDaysJob = defineJob({
  name: 'prune-minute-days',
  payloadSchema: pruneMinuteDaysPayloadSchema,
  // One run per night across instances; a failed run is followed by the next night's. Each day goes in a transaction
  // of its own, so a run cut short leaves whole days, never part of one.
  options: (payload) => ({ jobId: jobId('prune-minute-days', payload.slot), attempts: 1 }),
  stalls: 10,
  process: async (_payload: PruneMinuteDaysPayload, deps) => {
    const keepDays = deps.config.retention.minuteDays;
    if (keepDays === null) return { kept: 'all' as const };
    const result = await pruneMinuteDays(deps.db, keepDays, deps.now());
    const dropped = result.dropped.map((d) => d.day);
    if (dropped.length > 0) deps.log.info('dropped old minute data', { days: dropped, keepDays });
    if (result.stopped) deps.log.warn('minute data kept past its retention', { day: result.stopped.day.day, ...result.stopped.outcome });
    return { dropped, stopped: result.stopped ? { day: result.stopped.day.day, ...result.stopped.outcome } : null };
  },
});
