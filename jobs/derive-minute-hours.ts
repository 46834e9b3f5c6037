/**
 * `derive-minute-hours`: derives the hourly values of hours whose minute data changed (ingest/derive-minute-hours.ts)
 * and evaluates them. Runs every minute, at start-up by the scheduler's catch-up, and after an ingest that
 * stored minutes of an hour already ended. Only ended hours are derived; an hour still filling waits for its end.
 */
import { z } from 'zod';
import { deriveMinuteHours } from '../ingest/derive-minute-hours.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { sitesPending } from '../db/repositories/windows-pending.repository.ts';
import type { AlertCounts } from '../evaluate/apply-observations.ts';
import { finishPending } from '../evaluate/finish-pending.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import { evaluateJob } from './evaluate.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';
import { alertsChanged, notifySoon } from './notify.ts';

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
    const evaluated = await evaluateChanged(deps, result.changed);
    return { hours: result.hours, derived: result.derived, insufficient: result.insufficient, station: result.station, sites: result.changed.size, ...evaluated };
  },
});

/**
 * The sites whose hourly values changed are evaluated here, many to a transaction (evaluate/finish-pending.ts),
 * rather than by an `evaluate` job per site: at the turn of the hour the whole grid's hours change at once, and 720
 * jobs of one site each take many times as long as a few transactions of 200 sites — the alerts of the hour wait for
 * the last of them. A site another evaluation holds, or one that failed, is queued as its own job, as before; a crash
 * before that leaves the marks to the recovery (evaluate-pending).
 */
async function evaluateChanged(deps: JobDeps, changed: Map<string, TouchedSpan[]>): Promise<{ evaluated: number; queued: number; alerts?: AlertCounts }> {
  if (changed.size === 0) return { evaluated: 0, queued: 0 };
  const ids = await siteIdsByCode(deps.db, [...changed.keys()]);
  const result = await finishPending(deps, { siteIds: [...ids.values()], wait: false, isolateFailures: true });
  // Committed: the alerts' mails go out now, not at the next minute.
  if (alertsChanged(result.alerts)) await notifySoon(deps);
  const left = new Set(await sitesPending(deps.db, { siteIds: [...ids.values()], withRules: true }));
  let queued = 0;
  for (const [site, series] of changed) {
    if (!left.has(ids.get(site) ?? -1)) continue;
    await deps.enqueue(evaluateJob, { site, series, marked: true });
    queued++;
  }
  return { evaluated: result.sites, queued, alerts: result.alerts };
}

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
