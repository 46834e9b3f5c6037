/**
 * `notify`: one run of the notification outbox — queue reminders for alerts still firing, route new outbox rows to
 * their recipients, and send every delivery that is due (notify/deliver-notifications.ts). Runs are asked for three
 * ways: by the clock every scheduled minute (the safety net), by a job that committed outbox rows (`notifySoon`: a
 * message goes out seconds after its alert, not at the next minute), and by a run that leaves deliveries due later
 * (grouping, quiet hours, retry backoff: a run at the moment the earliest falls due, so a group waits its
 * `groupSeconds` and no minute more). The outbox in PostgreSQL holds the retry state and deliveries are claimed under
 * row locks, so a lost run loses nothing and runs side by side (several workers) never send a message twice.
 */
import { z } from 'zod';
import { nextPendingDue } from '../db/repositories/deliveries.repository.ts';
import type { AlertCounts } from '../evaluate/apply-observations.ts';
import { deliverDue, queueReminders, routeOutbox } from '../notify/deliver-notifications.ts';
import { defineJob, jobId } from './job-definition.ts';
import type { JobDeps } from './job-deps.ts';

/** Runs asked for ahead of the clock share a slot this long: a burst of alerts costs one run, not one per alert. */
export const SOON_SLOT_MS = 1_000;

/** Deliveries due further ahead than this are left to the clock: a minute late matters little after an hour. */
const WAKE_AHEAD_MS = 60 * 60_000;

export const notifyPayloadSchema = z.object({
  /** The minute this run stands for (the clock), or the second (a run asked for ahead of it). */
  slot: z.iso.datetime(),
  /** Asked for ahead of the clock: why, so that the run's job id cannot clash with the clock's or the other kind's. */
  ahead: z.enum(['outbox', 'due']).optional(),
  /** Asked for ahead of the clock: ms to wait before running (to the end of the slot, or until deliveries fall due). */
  waitMs: z.number().int().min(0).max(WAKE_AHEAD_MS + SOON_SLOT_MS).optional(),
});
export type NotifyPayload = z.infer<typeof notifyPayloadSchema>;

export const notifyJob = defineJob({
  name: 'notify',
  payloadSchema: notifyPayloadSchema,
  // One run per slot across instances; a failed run is simply followed by the next one.
  options: (payload) =>
    payload.ahead === undefined
      ? { jobId: jobId('notify', payload.slot), attempts: 1 }
      : { jobId: jobId('notify', payload.ahead, payload.slot), attempts: 1, delay: payload.waitMs ?? 0 },
  // A message is sent under its deliveries' row locks and marked sent in the same transaction: a run taken up again
  // never sends what another run is sending or has sent.
  stalls: 10,
  process: async (_payload: NotifyPayload, deps) => {
    const reminders = await queueReminders(deps);
    const routed = await routeOutbox(deps);
    const run = await deliverDue(deps);
    await wakeWhenDue(deps);
    return { reminders, routed, ...run };
  },
});

/**
 * Asks for a notify run right after outbox rows were committed (call it after the commit). Every ask within one
 * `SOON_SLOT_MS` slot shares one job, which waits a whole slot after the first ask: it starts after the slot has
 * ended, so it sees the rows of every ask of its slot — an ask can never land on a run that has already read the
 * outbox. Should the ask itself be lost, the next minute of the clock sends the rows.
 */
export async function notifySoon(deps: Pick<JobDeps, 'enqueue' | 'now'>): Promise<void> {
  const slot = Math.floor(deps.now().getTime() / SOON_SLOT_MS) * SOON_SLOT_MS;
  await deps.enqueue(notifyJob, { slot: new Date(slot).toISOString(), ahead: 'outbox', waitMs: SOON_SLOT_MS });
}

/** Asks for a run when the earliest delivery still pending falls due (the second it falls in, rounded up). */
async function wakeWhenDue(deps: Pick<JobDeps, 'db' | 'enqueue' | 'now'>): Promise<void> {
  const now = deps.now();
  const due = await nextPendingDue(deps.db, now, new Date(now.getTime() + WAKE_AHEAD_MS));
  if (due === null) return;
  const slot = Math.ceil(due.getTime() / SOON_SLOT_MS) * SOON_SLOT_MS;
  await deps.enqueue(notifyJob, { slot: new Date(slot).toISOString(), ahead: 'due', waitMs: slot - now.getTime() });
}

/** Whether an evaluation changed alert state, so may have committed outbox rows (firing, resolution, late exceedance). */
export function alertsChanged(counts: AlertCounts): boolean {
  return counts.opened + counts.fired + counts.resolved + counts.late > 0;
}
