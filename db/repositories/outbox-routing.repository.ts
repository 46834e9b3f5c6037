/**
 * Routing the notification outbox, in the caller's transaction: the rows not yet routed with the facts of their
 * alert that subscriptions match on, the deliveries made of them, and the rows marked routed.
 */
import { sql, type Kysely } from 'kysely';
import type { AlertTable, Database, DeliveryChannel } from '../schema.ts';

export interface UnroutedOutboxRow {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  severity: AlertTable['severity'] | null;
  rule_id: string | null;
  site: string | null;
  site_kind: string | null;
  area: string | null;
  parameter: string | null;
}

/**
 * Up to 500 pending rows not yet routed, oldest first, with their alert's severity, rule, site and parameter; locked
 * until the transaction ends, rows another run holds skipped, so no row is routed twice.
 */
export async function lockUnroutedOutbox(trx: Kysely<Database>): Promise<UnroutedOutboxRow[]> {
  const rows = await sql<UnroutedOutboxRow>`
      select o.id, o.kind, o.payload, a.severity, a.rule_id, s.code as site, s.kind as site_kind, s.area, p.code as parameter
      from notification_outbox o
      left join alert a on a.id = o.alert_id
      left join site s on s.id = a.site_id
      left join parameter p on p.id = a.parameter_id
      where o.routed_at is null and o.status = 'pending'
      order by o.id limit 500
      for update of o skip locked`.execute(trx);
  return rows.rows;
}

export interface NewDelivery {
  outbox_id: number;
  recipient: string;
  channel: DeliveryChannel;
  next_attempt_at: Date;
}

/** One statement for all; a delivery an outbox row already has for that recipient and channel is left alone. */
export async function insertDeliveries(trx: Kysely<Database>, deliveries: NewDelivery[]): Promise<void> {
  await trx.insertInto('notification_delivery').values(deliveries).onConflict((oc) => oc.columns(['outbox_id', 'recipient', 'channel']).doNothing()).execute();
}

export async function markOutboxRouted(trx: Kysely<Database>, ids: number[], at: Date): Promise<void> {
  await trx.updateTable('notification_outbox').set({ routed_at: at }).where('id', 'in', ids).execute();
}
