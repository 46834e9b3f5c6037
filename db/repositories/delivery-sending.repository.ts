/**
 * Sending deliveries: claiming the due ones (a lease and a group key, in the caller's transaction), locking a
 * group while it is sent, recording how the send went, and settling each outbox row from its deliveries.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Up to `limit` pending deliveries due by `now` with their outbox row's kind, by id; locked, held ones skipped. */
export async function lockDueDeliveries(trx: Kysely<Database>, now: Date, limit: number) {
  return trx
    .selectFrom('notification_delivery as d')
    .innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id')
    .select(['d.id', 'd.outbox_id', 'o.kind', 'd.recipient', 'd.channel', 'd.attempts', 'd.group_key'])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .orderBy('d.id')
    .limit(limit)
    .forUpdate('d')
    .skipLocked()
    .execute();
}

/** Fixes the group of claimed deliveries and reserves them for the claiming run until `leaseEnd`. */
export async function leaseDeliveryGroup(trx: Kysely<Database>, ids: number[], groupKey: string, leaseEnd: Date): Promise<void> {
  await trx.updateTable('notification_delivery').set({ group_key: groupKey, next_attempt_at: leaseEnd }).where('id', 'in', ids).execute();
}

/** The deliveries of a group that no other transaction holds, locked until this one ends, with status and attempts. */
export async function lockFreeDeliveries(trx: Kysely<Database>, ids: number[]) {
  return trx.selectFrom('notification_delivery').select(['id', 'status', 'attempts']).where('id', 'in', ids).forUpdate().skipLocked().execute();
}

export async function markDeliveriesSent(trx: Kysely<Database>, ids: number[], sent: { at: Date; attempts: number; messageId: string }): Promise<void> {
  await trx.updateTable('notification_delivery').set({ status: 'sent', sent_at: sent.at, attempts: sent.attempts, message_id: sent.messageId, last_error: null }).where('id', 'in', ids).execute();
}

/** A send that failed: tried again at `retryAt`, or failed for good when `retryAt` is null. The error is cut to 500 characters. */
export async function recordDeliveryFailure(trx: Kysely<Database>, ids: number[], failure: { attempts: number; error: string; retryAt: Date | null }): Promise<void> {
  const { attempts, retryAt } = failure;
  await trx
    .updateTable('notification_delivery')
    .set({ attempts, last_error: failure.error.slice(0, 500), ...(retryAt === null ? { status: 'failed' as const } : { next_attempt_at: retryAt }) })
    .where('id', 'in', ids)
    .execute();
}

/** An outbox row is sent when all its deliveries are, failed when one failed for good, pending otherwise. */
export async function settleOutbox(db: Kysely<Database>, outboxIds: readonly number[]): Promise<void> {
  if (outboxIds.length === 0) return;
  await sql`
    update notification_outbox o set
      status = case when d.failed > 0 then 'failed' when d.pending = 0 then 'sent' else 'pending' end,
      sent_at = case when d.pending = 0 and d.failed = 0 then now() else o.sent_at end,
      attempts = d.attempts
    from (
      select outbox_id, count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'pending') as pending, max(attempts) as attempts
      from notification_delivery where outbox_id = any(${[...new Set(outboxIds)]}::bigint[]) group by outbox_id
    ) d
    where o.id = d.outbox_id`.execute(db);
}
