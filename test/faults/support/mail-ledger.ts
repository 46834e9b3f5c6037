/**
 * Mail as a receiver sees it, against what envmon owed: every alert transition routed to a recipient (one
 * delivery row per outbox row and recipient) must reach that recipient's mailbox inside a message. A message
 * accepted twice under the same Message-ID is a repeat a receiver can drop; an alert transition carried by two
 * different messages is a duplicate nobody can drop.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { SinkMail } from './mail-sink.ts';

export interface MailLedger {
  /** Messages the server accepted, repeats included. */
  accepted: number;
  /** Distinct Message-IDs among them. */
  messages: number;
  /** Acceptances of a Message-ID already accepted before. */
  repeats: number;
  /** Alert transitions owed to recipients (delivery rows). */
  owed: number;
  /** Owed transitions no accepted message carries. */
  lost: number;
  /** Transitions carried by more messages (distinct Message-IDs) than owed. */
  duplicated: number;
  /** Delivery rows not marked sent. */
  unsent: number;
}

export async function mailLedger(db: Kysely<Database>, mails: readonly SinkMail[], emailOf: ReadonlyMap<string, string>): Promise<MailLedger> {
  const deliveries = await db
    .selectFrom('notification_delivery as d')
    .innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id')
    .select(['d.recipient', 'd.status', 'o.alert_id'])
    .where('o.kind', 'not in', ['daily_summary', 'period_report'])
    .execute();
  const owed = new Map<string, number>();
  for (const d of deliveries) {
    const key = `${emailOf.get(d.recipient) ?? d.recipient}|${d.alert_id ?? '-'}`;
    owed.set(key, (owed.get(key) ?? 0) + 1);
  }
  const firstOfEach = new Map<string, SinkMail>();
  for (const m of mails) if (!firstOfEach.has(m.messageId)) firstOfEach.set(m.messageId, m);
  const carried = new Map<string, number>();
  for (const m of firstOfEach.values()) {
    for (const id of m.alertItems) {
      const key = `${m.to}|${id}`;
      carried.set(key, (carried.get(key) ?? 0) + 1);
    }
  }
  let lost = 0;
  let duplicated = 0;
  for (const [key, n] of owed) lost += Math.max(0, n - (carried.get(key) ?? 0));
  for (const [key, n] of carried) duplicated += Math.max(0, n - (owed.get(key) ?? 0));
  return {
    accepted: mails.length,
    messages: firstOfEach.size,
    repeats: mails.length - firstOfEach.size,
    owed: deliveries.length,
    lost,
    duplicated,
    unsent: deliveries.filter((d) => d.status !== 'sent').length,
  };
}
