/**
 * `ingest`: stores one batch of normalized readings. Readings of unknown sites join the batch's rejections in
 * quarantine; the source's cursor and health move in the same transaction as the data.
 */
import { z } from 'zod';
import { storeBatch } from '../ingest/store-batch.ts';
import type { StoreCounts } from '../db/repositories/readings.repository.ts';
import { touchedSeries, type TouchedSpan } from '../ingest/touched-series.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { sitesPending } from '../db/repositories/windows-pending.repository.ts';
import type { JobDeps } from './job-deps.ts';
import { evaluateJob } from './evaluate.ts';
import { deriveMinuteHoursJob, deriveSlot } from './derive-minute-hours.ts';
import { defineJob, jobId } from './job-definition.ts';
import { HOUR_MS } from '../lib/time.ts';

/** Minutes stored this soon after their hour began ask for the hour before to be derived. */
const NEW_HOUR_MS = 2 * 60_000;

const readingSchema = z.object({
  site: z.string().min(1),
  parameter: z.string().min(1),
  period: z.enum(['minute', 'hour', 'day']),
  observedAt: z.iso.datetime(),
  value: z.string().regex(/^-?\d+(\.\d+)?$/),
  unit: z.string(),
  flag: z.string().regex(/^[A-Za-z]{1,2}$/),
  /** Minute data only: minutes the value stands for (0: a real-time sample); default 1. */
  intervalMinutes: z.number().int().min(0).max(60).optional(),
});

const rejectionSchema = z.object({
  code: z.enum(['malformed', 'checksum', 'unauthorized', 'unknown_site', 'unknown_parameter', 'not_a_number', 'no_data_marker', 'unknown_unit', 'out_of_range', 'future_time', 'invalid_time', 'pruned_day']),
  reason: z.string(),
  raw: z.string(),
  /** The exact input bytes (base64) when `raw` shows them escaped. */
  rawBytes: z.string().optional(),
  detail: z.record(z.string(), z.string()).optional(),
});

export const ingestPayloadSchema = z.object({
  /** The source the batch came from; null for operator imports. */
  sourceId: z.string().nullable(),
  /** The pull slot that produced the batch, when it came from a pull. */
  slot: z.iso.datetime().optional(),
  /** Which part of the slot's readings, when a pull was split into several batches. */
  part: z.number().int().min(0).optional(),
  /** Where the source's cursor moves once the batch is stored. */
  cursor: z.iso.datetime().optional(),
  readings: z.array(readingSchema),
  rejections: z.array(rejectionSchema),
});
export type IngestPayload = z.infer<typeof ingestPayloadSchema>;

export interface IngestResult extends StoreCounts {
  /** Minute values new or changed, for a batch with minute values. */
  minutes?: number;
  rejected: number;
}

export const ingestJob = defineJob({
  name: 'ingest',
  payloadSchema: ingestPayloadSchema,
  options: (payload, defaults) => ({
    ...(payload.sourceId && payload.slot ? { jobId: jobId('ingest', payload.sourceId, payload.slot, ...(payload.part === undefined ? [] : [String(payload.part)])) } : {}),
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs },
  }),
  // Storing is idempotent and the cursor never moves back: running a batch again is safe.
  stalls: 10,
  process: async (payload, deps): Promise<IngestResult> => {
    const { rejections: _kept, minutes, ...counts } = await storeBatch(deps, {
      sourceId: payload.sourceId,
      readings: payload.readings,
      rejections: payload.rejections,
      ...(payload.cursor ? { cursor: new Date(payload.cursor) } : {}),
    });
    // New or revised hourly values are evaluated at their own times, site by site. A retry of a batch whose first
    // attempt stored it and died before this point stores nothing new: its sites still owe their evaluation.
    const touched = touchedSeries(payload.readings);
    const owing = counts.stored + counts.revised > 0 ? touched : await stillPending(deps, touched);
    for (const [site, series] of owing) await deps.enqueue(evaluateJob, { site, series, marked: true });
    // Minutes of an hour already ended (the hour's last minutes, late data) are derived now rather than at the next
    // scheduled minute; so is the hour before the first minutes of a new one (a real-time sample taken at 10:59 is
    // stored before its hour ends: the 11:00 sample says it has). The uploads of a few seconds share one run.
    const now = deps.now().getTime();
    const asks = (hourEnd: number) => hourEnd <= now || now - (hourEnd - HOUR_MS) < NEW_HOUR_MS;
    if (minutes && minutes.stored > 0 && minutes.hours.some((h) => asks(Date.parse(h)))) await deps.enqueue(deriveMinuteHoursJob, { slot: deriveSlot(new Date(now)), afterIngest: true });
    return { ...counts, ...(minutes ? { minutes: minutes.stored } : {}) };
  },
});

/** The touched sites that still have pending marks. */
async function stillPending(deps: JobDeps, touched: Map<string, TouchedSpan[]>): Promise<Map<string, TouchedSpan[]>> {
  if (touched.size === 0) return touched;
  const ids = await siteIdsByCode(deps.db, [...touched.keys()]);
  const pending = new Set(await sitesPending(deps.db, { siteIds: [...ids.values()], withRules: true }));
  return new Map([...touched].filter(([site]) => pending.has(ids.get(site) ?? -1)));
}
