// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // 8- and 24-hour moving means are kept only for the last week (168 hours) before each series' newest hour; older
  // ones are computed from the readings when read. Those stored before this change go.
  await sql`
    delete from window_aggregate wa using series_watermark m
    where wa.site_id = m.site_id and wa.parameter_id = m.parameter_id and wa.kind in ('8h', '24h')
      and wa.window_end <= m.latest_hour - interval '168 hours'`.execute(db);
}

export async function down(): Promise<void> {
  // The deleted windows are computed from the readings; `envmon aggregates rebuild` stores those of the horizon.
}
