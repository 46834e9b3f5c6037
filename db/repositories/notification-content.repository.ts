/** What a notification says: the payload of an outbox row, and the outbox rows of a message with their alert and site. */
import { sql, type Kysely } from 'kysely';
import type { AlertTable, Database } from '../schema.ts';

/** The payload of one outbox row; throws when there is no such row. */
export async function outboxPayload(db: Kysely<Database>, outboxId: number): Promise<unknown> {
  const row = await db.selectFrom('notification_outbox').select('payload').where('id', '=', outboxId).executeTakeFirstOrThrow();
  return row.payload;
}

export interface OutboxItemRow {
  kind: 'alert' | 'resolution' | 'reminder';
  alert_id: number | null;
  payload: Record<string, unknown>;
  severity: AlertTable['severity'] | null;
  site_id: number | null;
  parameter_id: number | null;
  code: string | null;
  name_zh: string | null;
  name_en: string | null;
  site_kind: string | null;
}

/** Outbox rows by id, in id order, with their alert's severity, site and parameter and the site's code, names and kind. */
export async function outboxItemRows(db: Kysely<Database>, outboxIds: readonly number[]): Promise<OutboxItemRow[]> {
  const rows = await sql<OutboxItemRow>`
    select o.kind, o.alert_id, o.payload, a.severity, a.site_id, a.parameter_id, s.code, s.name_zh, s.name_en, s.kind as site_kind
    from notification_outbox o left join alert a on a.id = o.alert_id left join site s on s.id = a.site_id
    where o.id = any(${[...outboxIds]}::bigint[]) order by o.id`.execute(db);
  return rows.rows;
}
