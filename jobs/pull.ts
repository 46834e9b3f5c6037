/**
 * `pull`: fetches one source for one schedule slot and hands the normalized batch to `ingest`. The job id is the
 * source and slot, so several scheduler instances enqueueing the same slot run it once.
 */
import { z } from 'zod';
import { normalizeRecord, type NormalizedReading, type Rejection } from '../ingest/normalize.ts';
import { getSource, isEnabled, recordSourceFailure } from '../db/repositories/sources.repository.ts';
import { HOUR_MS } from '../lib/time.ts';
import { ingestJob } from './ingest.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';

export const pullPayloadSchema = z.object({
  sourceId: z.string().min(1),
  /** The scheduled time this pull stands for (ISO instant, minute precision). */
  slot: z.iso.datetime(),
});
export type PullPayload = z.infer<typeof pullPayloadSchema>;

export type PullResult =
  | { outcome: 'fetched'; readings: number; rejections: number; since: string; until: string }
  | { outcome: 'skipped'; reason: string };

/** Interval ends may run this far ahead of the clock (station clocks drift). */
const FUTURE_TOLERANCE_MS = 10 * 60_000;
/** One pull never reaches further back than this, whatever the cursor says. */
const MAX_WINDOW_MS = 31 * 24 * HOUR_MS;

export const pullJob = defineJob({
  name: 'pull',
  payloadSchema: pullPayloadSchema,
  options: (payload, defaults) => ({
    jobId: jobId('pull', payload.sourceId, payload.slot),
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs },
  }),
  process: pull,
});

async function pull(payload: PullPayload, deps: JobDeps): Promise<PullResult> {
  const found = deps.config.sources.find((s) => s.id === payload.sourceId);
  const config = found && 'schedule' in found ? found : undefined;
  const adapter = deps.adapters.get(payload.sourceId);
  const state = await getSource(deps.db, payload.sourceId);
  if (!config || !adapter || !state) return { outcome: 'skipped', reason: 'source is not configured' };
  if (!isEnabled(state)) return { outcome: 'skipped', reason: 'source is disabled' };

  const slot = new Date(payload.slot);
  const until = new Date(slot.getTime() - config.lagMinutes * 60_000);
  const earliest = until.getTime() - MAX_WINDOW_MS;
  const fromCursor = state.cursor ? state.cursor.getTime() : until.getTime() - config.initialBackfillHours * HOUR_MS;
  const since = new Date(Math.max(fromCursor, earliest));
  if (since >= until) return { outcome: 'skipped', reason: 'already up to date' };

  const readings: NormalizedReading[] = [];
  const rejections: Rejection[] = [];
  const now = deps.now();
  try {
    const controller = new AbortController();
    for await (const record of adapter.fetch({ since, until }, controller.signal)) {
      const result = normalizeRecord(record, { now, futureToleranceMs: FUTURE_TOLERANCE_MS });
      readings.push(...result.readings);
      rejections.push(...result.rejections);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordSourceFailure(deps.db, payload.sourceId, message, deps.now());
    throw error;
  }

  // The cursor moves to the latest reading actually fetched, so data a source publishes late is still picked up.
  const latest = readings.reduce((max, r) => (r.observedAt > max ? r.observedAt : max), '');
  await deps.enqueue(ingestJob, {
    sourceId: payload.sourceId,
    slot: payload.slot,
    ...(latest ? { cursor: latest } : {}),
    readings,
    rejections,
  });
  deps.log.info('pulled', { source: payload.sourceId, slot: payload.slot, readings: readings.length, rejections: rejections.length });
  return { outcome: 'fetched', readings: readings.length, rejections: rejections.length, since: since.toISOString(), until: until.toISOString() };
}
