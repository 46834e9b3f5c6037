/** Deliveries of notifications to recipients, for `envmon notifications` and 运维 → 通知投递. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** The newest deliveries first (at most 1000), of one status if given, older than `beforeId` if given (paging). */
export async function listDeliveries(db: Kysely<Database>, options: { status?: DeliveryStatus | undefined; limit: number; beforeId?: number | undefined }) {
  let query = db
    .selectFrom('notification_delivery as d')
    .innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id')
    .select(['d.id', 'd.outbox_id as outboxId', 'o.kind', 'o.alert_id as alertId', 'd.recipient', 'd.channel', 'd.status', 'd.attempts', 'd.next_attempt_at as nextAttemptAt', 'd.message_id as messageId', 'd.last_error as lastError', 'd.created_at as createdAt', 'd.sent_at as sentAt'])
    .orderBy('d.id', 'desc')
    .limit(Math.max(1, Math.min(1000, options.limit)));
  if (options.status) query = query.where('d.status', '=', options.status);
  if (options.beforeId !== undefined) query = query.where('d.id', '<', options.beforeId);
  return query.execute();
}

/** How many deliveries failed for good (nobody got them until they are sent again). */
export async function failedDeliveryCount(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('notification_delivery').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'failed').executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Queues failed deliveries again (all failed ones for 'all-failed'): attempts start over and the next outbox run
 * sends them with their original Message-ID. Returns the ids queued again; a delivery that has not failed is left.
 */
export async function retryFailedDeliveries(db: Kysely<Database>, which: readonly number[] | 'all-failed'): Promise<number[]> {
  if (which !== 'all-failed' && which.length === 0) return [];
  let update = db.updateTable('notification_delivery').set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), last_error: null }).where('status', '=', 'failed');
  if (which !== 'all-failed') update = update.where('id', 'in', which);
  const result = await update.returning(['id', 'outbox_id']).execute();
  if (result.length > 0) await db.updateTable('notification_outbox').set({ status: 'pending' }).where('id', 'in', [...new Set(result.map((r) => r.outbox_id))]).where('status', '=', 'failed').execute();
  return result.map((r) => r.id);
}

/** When the earliest pending delivery due after `after` (and not later than `until`) falls due, or null. */
export async function nextPendingDue(db: Kysely<Database>, after: Date, until: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('notification_delivery')
    .select((eb) => eb.fn.min('next_attempt_at').as('due'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', after)
    .where('next_attempt_at', '<=', until)
    .executeTakeFirst();
  return row?.due ? new Date(row.due) : null;
}
