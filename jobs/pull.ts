/**
 * `pull`: fetches one source for one schedule slot and hands the normalized batch to `ingest`. The job id is the
 * source and slot, so several scheduler instances enqueueing the same slot run it once.
 */
import { z } from 'zod';
import { normalizeRecord, type NormalizedReading, type Rejection } from '../ingest/normalize.ts';
import { registerFeedSites } from '../db/repositories/sites.repository.ts';
import { getSource, isEnabled, recordSourceFailure } from '../db/repositories/sources.repository.ts';
import type { SiteMetadata } from '../db/repositories/sites.repository.ts';
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

/** Readings per ingest job: bounds the size of a queue payload. */
const READINGS_PER_INGEST = 10_000;

/**
 * The window a pull reads: up to the slot less the source's publication lag; from the cursor (or, for a new
 * source or a slot retried after a later one moved the cursor past it, `initialBackfillHours` back), reaching `refetchHours` further back for late and revised data, but never
 * more than `backfillWindowHours` before the slot — older gaps are for `envmon backfill`.
 */
export function pullWindow(
  slot: Date,
  cursor: Date | null,
  config: { lagMinutes: number; initialBackfillHours: number; refetchHours: number; backfillWindowHours: number },
): { since: Date; until: Date } {
  const until = slot.getTime() - config.lagMinutes * 60_000;
  // A cursor at or past this slot's end was moved by a later slot that ran first (this one failed and is being
  // retried): it says nothing of this slot's own window, which is read as a first pull reads it. Reading stored data
  // again changes nothing; skipping it would lose what only this slot was to fetch.
  const fresh = cursor === null || cursor.getTime() >= until;
  const start = fresh ? until - config.initialBackfillHours * HOUR_MS : cursor.getTime();
  const withRefetch = Math.min(start, until - config.refetchHours * HOUR_MS);
  const earliest = until - Math.max(config.backfillWindowHours, fresh ? config.initialBackfillHours : 0) * HOUR_MS;
  return { since: new Date(Math.max(withRefetch, earliest)), until: new Date(until) };
}

export const pullJob = defineJob({
  name: 'pull',
  payloadSchema: pullPayloadSchema,
  options: (payload, defaults) => ({
    jobId: jobId('pull', payload.sourceId, payload.slot),
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs },
  }),
  // A pull read again hands the same batches to the same ingest job ids: running it again is safe.
  stalls: 10,
  process: pull,
});

async function pull(payload: PullPayload, deps: JobDeps): Promise<PullResult> {
  const found = deps.config.sources.find((s) => s.id === payload.sourceId);
  const config = found && 'schedule' in found ? found : undefined;
  const adapter = deps.adapters.get(payload.sourceId);
  const state = await getSource(deps.db, payload.sourceId);
  if (!config || !adapter || !state) return { outcome: 'skipped', reason: 'source is not configured' };
  if (!isEnabled(state)) return { outcome: 'skipped', reason: 'source is disabled' };

  const { since, until } = pullWindow(new Date(payload.slot), state.cursor, config);
  if (since >= until) return { outcome: 'skipped', reason: 'already up to date' };

  const readings: NormalizedReading[] = [];
  const rejections: Rejection[] = [];
  const feedSites = new Map<string, SiteMetadata>();
  const now = deps.now();
  const fetched = deps.metrics.pullDuration.startTimer({ source: payload.sourceId });
  try {
    const controller = new AbortController();
    for await (const record of adapter.fetch({ since, until }, controller.signal)) {
      const result = normalizeRecord(record, { now });
      readings.push(...result.readings);
      rejections.push(...result.rejections);
      if (record.site) feedSites.set(record.site.code, record.site);
    }
    fetched();
  } catch (error) {
    fetched();
    deps.metrics.pullFailures.inc({ source: payload.sourceId });
    const message = error instanceof Error ? error.message : String(error);
    await recordSourceFailure(deps.db, payload.sourceId, message, deps.now());
    throw error;
  }

  // A feed that describes its stations may register the ones not configured yet.
  if (config.kind === 'cnemc' && config.registerSites && feedSites.size > 0) await registerFeedSites(deps.db, [...feedSites.values()]);

  // The cursor moves to the latest reading actually fetched, so data a source publishes late is still picked up.
  // Large pulls go out in several ingest jobs; only the last one moves the cursor (which never moves back).
  const latest = readings.reduce((max, r) => (r.observedAt > max ? r.observedAt : max), '');
  const chunks = Math.max(1, Math.ceil(readings.length / READINGS_PER_INGEST));
  for (let i = 0; i < chunks; i++) {
    const last = i === chunks - 1;
    await deps.enqueue(ingestJob, {
      sourceId: payload.sourceId,
      slot: payload.slot,
      ...(chunks > 1 ? { part: i } : {}),
      ...(last && latest ? { cursor: latest } : {}),
      readings: readings.slice(i * READINGS_PER_INGEST, (i + 1) * READINGS_PER_INGEST),
      rejections: last ? rejections : [],
    });
  }
  deps.log.info('pulled', { source: payload.sourceId, slot: payload.slot, readings: readings.length, rejections: rejections.length });
  return { outcome: 'fetched', readings: readings.length, rejections: rejections.length, since: since.toISOString(), until: until.toISOString() };
}
