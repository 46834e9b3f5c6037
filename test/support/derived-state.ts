/**
 * What evaluation derives from the readings — rolling windows, watermarks, alerts, their events and outbox rows —
 * in a form that two databases (or two runs) can be compared by: no generated ids or wall-clock columns, alerts
 * referred to by their position in a stable order.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export async function derivedState(db: Kysely<Database>) {
  const alerts = await db
    .selectFrom('alert')
    .leftJoin('site', 'site.id', 'alert.site_id')
    .select(['alert.id', 'alert.dedup_key', 'site.code as site', 'alert.state', 'alert.first_seen_at', 'alert.fired_at', 'alert.resolved_at', 'alert.last_evaluated_at', 'alert.late', 'alert.evidence'])
    .orderBy('alert.dedup_key')
    .orderBy('alert.first_seen_at')
    .execute();
  const position = new Map(alerts.map((a, i) => [a.id, i]));
  const events = await db.selectFrom('alert_event').select(['alert_id', 'from_state', 'to_state', 'evidence', 'note']).orderBy('id').execute();
  const outbox = await db.selectFrom('notification_outbox').select(['alert_id', 'kind', 'status', 'dedup_key', 'payload']).orderBy('id').execute();
  const windows = await db
    .selectFrom('window_aggregate')
    .innerJoin('site', 'site.id', 'window_aggregate.site_id')
    .innerJoin('parameter', 'parameter.id', 'window_aggregate.parameter_id')
    .select(['site.code as site', 'parameter.code as parameter', 'window_aggregate.kind', 'window_aggregate.window_end', 'window_aggregate.sum', 'window_aggregate.valid_count', 'window_aggregate.value', 'window_aggregate.max_hour', 'window_aggregate.hour_count'])
    .orderBy('site.code')
    .orderBy('parameter.code')
    .orderBy('window_aggregate.kind')
    .orderBy('window_aggregate.window_end')
    .execute();
  const watermarks = await db
    .selectFrom('series_watermark')
    .innerJoin('site', 'site.id', 'series_watermark.site_id')
    .innerJoin('parameter', 'parameter.id', 'series_watermark.parameter_id')
    .select(['site.code as site', 'parameter.code as parameter', 'series_watermark.latest_hour'])
    .orderBy('site.code')
    .orderBy('parameter.code')
    .execute();
  const at = (id: number | null) => (id === null ? null : (position.get(id) ?? -1));
  return {
    alerts: alerts.map(({ id: _id, ...a }) => a),
    events: events.map((e) => ({ ...e, alert_id: at(e.alert_id) })).sort((a, b) => (a.alert_id ?? 0) - (b.alert_id ?? 0)),
    // The outbox dedup key names the alert id, which differs between runs; its transition does not.
    outbox: outbox.map((o) => ({ ...o, alert_id: at(o.alert_id), dedup_key: o.dedup_key.replace(/^alert:\d+:/, 'alert:*:') })).sort((a, b) => (a.alert_id ?? 0) - (b.alert_id ?? 0) || a.dedup_key.localeCompare(b.dedup_key)),
    windows,
    watermarks,
  };
}
