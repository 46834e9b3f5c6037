/**
 * `ingest`: stores one batch of normalized readings. Readings of unknown sites join the batch's rejections in
 * quarantine; the source's cursor and health move in the same transaction as the data.
 */
import { z } from 'zod';
import { quarantine } from '../db/repositories/quarantine.repository.ts';
import { ensurePartitions, storeReadings, type ReadingRow, type StoreCounts } from '../db/repositories/readings.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { recordSourceSuccess } from '../db/repositories/sources.repository.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';

const readingSchema = z.object({
  site: z.string().min(1),
  parameter: z.string().min(1),
  period: z.enum(['minute', 'hour', 'day']),
  observedAt: z.iso.datetime(),
  value: z.string().regex(/^-?\d+(\.\d+)?$/),
  unit: z.string(),
  flag: z.string().regex(/^[A-Za-z]{1,2}$/),
});

export const ingestPayloadSchema = z.object({
  /** The source the batch came from; null for operator imports. */
  sourceId: z.string().nullable(),
  /** The pull slot that produced the batch, when it came from a pull. */
  slot: z.iso.datetime().optional(),
  /** Where the source's cursor moves once the batch is stored. */
  cursor: z.iso.datetime().optional(),
  readings: z.array(readingSchema),
  rejections: z.array(z.object({ reason: z.string(), raw: z.string(), detail: z.record(z.string(), z.string()).optional() })),
});
export type IngestPayload = z.infer<typeof ingestPayloadSchema>;

export interface IngestResult extends StoreCounts {
  rejected: number;
}

export const ingestJob = defineJob({
  name: 'ingest',
  payloadSchema: ingestPayloadSchema,
  options: (payload, defaults) => ({
    ...(payload.sourceId && payload.slot ? { jobId: jobId('ingest', payload.sourceId, payload.slot) } : {}),
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs },
  }),
  process: (payload, deps) => ingestBatch(payload, deps),
});

export async function ingestBatch(payload: IngestPayload, deps: Pick<JobDeps, 'db' | 'parameterIds' | 'partitions' | 'now'>): Promise<IngestResult> {
  const siteIds = await siteIdsByCode(deps.db, [...new Set(payload.readings.map((r) => r.site))]);
  const rows: ReadingRow[] = [];
  const rejections = [...payload.rejections];
  for (const r of payload.readings) {
    const siteId = siteIds.get(r.site);
    const parameterId = deps.parameterIds.get(r.parameter);
    if (siteId === undefined || parameterId === undefined) {
      rejections.push({
        reason: siteId === undefined ? `unknown site "${r.site}"` : `unknown parameter "${r.parameter}"`,
        raw: JSON.stringify(r),
        detail: { site: r.site, parameter: r.parameter, value: r.value },
      });
      continue;
    }
    rows.push({ siteId, parameterId, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag });
  }

  await ensurePartitions(deps.db, rows.map((r) => r.observedAt), deps.partitions);
  const at = deps.now();
  const counts = await deps.db.transaction().execute(async (trx) => {
    const stored = await storeReadings(trx, rows, payload.sourceId);
    await quarantine(trx, payload.sourceId, rejections);
    if (payload.sourceId) await recordSourceSuccess(trx, payload.sourceId, payload.cursor ? new Date(payload.cursor) : null, rows.length, at);
    return stored;
  });
  return { ...counts, rejected: rejections.length };
}
