// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per monthly or annual report period: whoever inserts it first produces the report, so any number of
  // instances (and the start-up catch-up) queue each period's mail once.
  await sql`
    create table period_report (
      kind text not null check (kind in ('monthly', 'annual')),
      period text not null,
      outbox_id bigint,
      created_at timestamptz not null default now(),
      primary key (kind, period),
      check ((kind = 'monthly' and period ~ '^[0-9]{4}-[0-9]{2}$') or (kind = 'annual' and period ~ '^[0-9]{4}$'))
    )`.execute(db);
  await sql`alter table notification_outbox drop constraint notification_outbox_kind_check`.execute(db);
  await sql`alter table notification_outbox add constraint notification_outbox_kind_check check (kind in ('alert', 'resolution', 'reminder', 'daily_summary', 'period_report'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from notification_outbox where kind = 'period_report'`.execute(db);
  await sql`alter table notification_outbox drop constraint notification_outbox_kind_check`.execute(db);
  await sql`alter table notification_outbox add constraint notification_outbox_kind_check check (kind in ('alert', 'resolution', 'reminder', 'daily_summary'))`.execute(db);
  await sql`drop table if exists period_report`.execute(db);
}
