import { sql, type Kysely } from 'kysely';
import type { LoadedSource } from '../../config/load-config.ts';
import type { Database, Source } from '../schema.ts';

/** Records the configured sources; runtime state (cursor, health) is kept. */
export async function upsertConfiguredSources(db: Kysely<Database>, sources: readonly LoadedSource[]): Promise<void> {
  if (sources.length === 0) return;
  await db
    .insertInto('source')
    .values(
      sources.map((s) => ({
        id: s.id,
        kind: s.kind,
        name: s.name,
        enabled: s.enabled,
        schedule: 'schedule' in s ? s.schedule : 'push',
        settings: JSON.stringify(publicSettings(s)),
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        name: eb.ref('excluded.name'),
        enabled: eb.ref('excluded.enabled'),
        schedule: eb.ref('excluded.schedule'),
        settings: eb.ref('excluded.settings'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

export async function getSource(db: Kysely<Database>, id: string): Promise<Source | undefined> {
  return db.selectFrom('source').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether a source runs: the operator's choice if made, else the configuration's. */
export function isEnabled(source: Pick<Source, 'enabled' | 'operator_enabled'>): boolean {
  return source.operator_enabled ?? source.enabled;
}

export async function setOperatorEnabled(db: Kysely<Database>, id: string, enabled: boolean): Promise<boolean> {
  const result = await db.updateTable('source').set({ operator_enabled: enabled, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listSources(db: Kysely<Database>): Promise<Source[]> {
  return db.selectFrom('source').selectAll().orderBy('id').execute();
}

/** How many sources failed their last pull (one failure or more in a row). */
export async function failingSourceCount(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('source').select((eb) => eb.fn.countAll<string>().as('n')).where('consecutive_failures', '>', 0).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Source id → kind for the ids that exist. */
export async function sourceKinds(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return new Map((await db.selectFrom('source').select(['id', 'kind']).where('id', 'in', [...ids]).execute()).map((s) => [s.id, s.kind]));
}

/** A failed pull: kept as the source's last error; the count of consecutive failures grows. */
export async function recordSourceFailure(db: Kysely<Database>, id: string, message: string, at: Date): Promise<void> {
  await db
    .updateTable('source')
    .set((eb) => ({
      last_run_at: at,
      last_error_at: at,
      last_error: message.slice(0, 2000),
      consecutive_failures: eb('consecutive_failures', '+', 1),
      updated_at: at,
    }))
    .where('id', '=', id)
    .execute();
}

/** A stored batch: health reset and the cursor moved forward (never back), in the caller's transaction. */
export async function recordSourceSuccess(trx: Kysely<Database>, id: string, cursor: Date | null, rows: number, at: Date): Promise<void> {
  await trx
    .updateTable('source')
    .set({
      last_run_at: at,
      last_success_at: at,
      consecutive_failures: 0,
      last_run_rows: rows,
      updated_at: at,
      ...(cursor ? { cursor: sql<Date>`greatest(cursor, ${cursor}::timestamptz)` } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Settings safe to store and show: paths and shapes, never credentials. */
function publicSettings(source: LoadedSource): Record<string, unknown> {
  const hidden = new Set(['id', 'name', 'kind', 'enabled', 'schedule', 'mappingRules', 'stationPasswords', 'authHeaders']);
  return Object.fromEntries(Object.entries(source).filter(([key]) => !hidden.has(key)));
}
