/** Reviewing quarantined input: list it page by page, and close what will never be replayed. */
import { sql, type Kysely } from 'kysely';
import type { Database, QuarantineItem } from '../schema.ts';

export const quarantineStatuses = ['pending', 'replayed', 'discarded'] as const;
export type QuarantineStatus = (typeof quarantineStatuses)[number];

export interface QuarantineFilter {
  readonly status: QuarantineStatus;
  readonly code?: string | undefined;
  readonly source?: string | undefined;
  /** Items older than this id (the next page of a newest-first list). */
  readonly beforeId?: number | undefined;
  /** At most 10,000. */
  readonly limit: number;
}

/** How many quarantined items wait for review. */
export async function pendingQuarantineCount(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('quarantine').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Quarantined items newest first. */
export async function listQuarantined(db: Kysely<Database>, filter: QuarantineFilter): Promise<QuarantineItem[]> {
  let query = db.selectFrom('quarantine').selectAll().where('status', '=', filter.status).orderBy('id', 'desc').limit(Math.max(1, Math.min(10_000, filter.limit)));
  if (filter.code !== undefined) query = query.where('code', '=', filter.code);
  if (filter.source !== undefined) query = query.where('source_id', '=', filter.source);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

/** Pending items among `ids` (what a replay may take). */
export async function pendingQuarantined(db: Kysely<Database>, ids: readonly number[]): Promise<QuarantineItem[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('quarantine').selectAll().where('status', '=', 'pending').where('id', 'in', ids).orderBy('id').execute();
}

/** Marks pending items discarded (kept on record) with a note; returns the ids discarded. */
export async function discardQuarantined(db: Kysely<Database>, ids: readonly number[], note: string | null): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('quarantine')
    .set({ status: 'discarded', resolved_at: sql<Date>`now()`, resolution: note ?? 'discarded' })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
