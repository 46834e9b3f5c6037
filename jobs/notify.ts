/**
 * `notify`: one run of the notification outbox at a scheduled minute — queue reminders for alerts still firing,
 * route new outbox rows to their recipients, and send every delivery that is due (notify/deliver-notifications.ts).
 * The outbox in PostgreSQL holds the retry state, so a lost run loses nothing: the next minute picks it up.
 */
import { z } from 'zod';
import { deliverDue, queueReminders, routeOutbox } from '../notify/deliver-notifications.ts';
import { defineJob, jobId } from './job-definition.ts';

export const notifyPayloadSchema = z.object({
  /** The scheduled minute this run stands for. */
  slot: z.iso.datetime(),
});
export type NotifyPayload = z.infer<typeof notifyPayloadSchema>;

export const notifyJob = defineJob({
  name: 'notify',
  payloadSchema: notifyPayloadSchema,
  // One run per minute across instances; a failed run is simply followed by the next one.
  options: (payload) => ({ jobId: jobId('notify', payload.slot), attempts: 1 }),
  // A message is sent under its deliveries' row locks and marked sent in the same transaction: a run taken up again
  // never sends what another run is sending or has sent.
  stalls: 10,
  process: async (_payload: NotifyPayload, deps) => {
    const reminders = await queueReminders(deps);
    const routed = await routeOutbox(deps);
    const run = await deliverDue(deps);
    return { reminders, routed, ...run };
  },
});
