// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // When an outbox row was routed to its recipients (one delivery per recipient and channel).
  await sql`alter table notification_outbox add column routed_at timestamptz`.execute(db);
  await sql`create index notification_outbox_unrouted_idx on notification_outbox (id) where routed_at is null and status = 'pending'`.execute(db);

  // One message to one recipient on one channel. Deliveries due together for the same recipient and channel go out
  // as one message; group_key fixes that grouping at the first attempt so a retry repeats the same message with
  // the same Message-ID. Marked sent only after the server accepted it.
  await sql`
    create table notification_delivery (
      id bigint generated always as identity primary key,
      outbox_id bigint not null references notification_outbox (id),
      recipient text not null,
      channel text not null check (channel in ('email', 'file', 'webhook', 'wecom', 'dingtalk')),
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      group_key text,
      message_id text,
      last_error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      unique (outbox_id, recipient, channel)
    )`.execute(db);
  await sql`create index notification_delivery_due_idx on notification_delivery (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index notification_delivery_group_idx on notification_delivery (group_key) where group_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists notification_delivery`.execute(db);
  await sql`drop index if exists notification_outbox_unrouted_idx`.execute(db);
  await sql`alter table notification_outbox drop column if exists routed_at`.execute(db);
}
