import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export interface ReadingRow {
  siteId: number;
  parameterId: number;
  period: string;
  /** ISO instant of the interval end. */
  observedAt: string;
  value: string;
  unit: string;
  flag: string;
}

export interface StoreCounts {
  stored: number;
  unchanged: number;
  revised: number;
}

/** Rows per statement: arrays are bound as 7 parameters whatever the row count, so this only bounds memory. */
const CHUNK = 10_000;

/**
 * Stores readings in bulk: new keys are inserted, identical rows are left alone (nothing rewritten), and a changed
 * value or flag for an existing key (a source's revision) updates the row and keeps the previous one in
 * `reading_revision`. Later duplicates of a key within `rows` win.
 */
export async function storeReadings(trx: Transaction<Database>, rows: readonly ReadingRow[], sourceId: string | null): Promise<StoreCounts> {
  const unique = [...new Map(rows.map((r) => [`${r.siteId}|${r.parameterId}|${r.period}|${r.observedAt}`, r])).values()];
  const counts: StoreCounts = { stored: 0, unchanged: 0, revised: 0 };
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const result = await sql<{ stored: number; revised: number }>`
      with incoming as (
        select * from unnest(
          ${chunk.map((r) => r.siteId)}::integer[],
          ${chunk.map((r) => r.parameterId)}::smallint[],
          ${chunk.map((r) => r.period)}::text[],
          ${chunk.map((r) => r.observedAt)}::timestamptz[],
          ${chunk.map((r) => r.value)}::numeric[],
          ${chunk.map((r) => r.unit)}::text[],
          ${chunk.map((r) => r.flag)}::text[]
        ) as t(site_id, parameter_id, period, observed_at, value, unit, flag)
      ),
      previous as (
        insert into reading_revision (site_id, parameter_id, period, observed_at, previous_value, previous_flag, previous_source_id, previous_ingested_at)
        select r.site_id, r.parameter_id, r.period, r.observed_at, r.value, r.flag, r.source_id, r.ingested_at
        from reading r
        join incoming i using (site_id, parameter_id, period, observed_at)
        where r.value <> i.value or r.flag <> i.flag or r.unit <> i.unit
        returning 1
      ),
      written as (
        insert into reading (site_id, parameter_id, period, observed_at, value, unit, flag, source_id)
        select site_id, parameter_id, period, observed_at, value, unit, flag, ${sourceId}::text from incoming
        on conflict (site_id, parameter_id, period, observed_at) do update
          set value = excluded.value, unit = excluded.unit, flag = excluded.flag,
              source_id = excluded.source_id, ingested_at = now()
          where reading.value <> excluded.value or reading.flag <> excluded.flag or reading.unit <> excluded.unit
        returning 1
      )
      -- Every revised row got a revision entry; everything else written is new. (xmax cannot tell them apart on a
      -- partitioned table.)
      select ((select count(*) from written) - (select count(*) from previous))::int as stored,
             (select count(*) from previous)::int as revised
    `.execute(trx);
    const row = result.rows[0] ?? { stored: 0, revised: 0 };
    counts.stored += row.stored;
    counts.revised += row.revised;
    counts.unchanged += chunk.length - row.stored - row.revised;
  }
  return counts;
}

/** Months (as `YYYY-MM`, UTC) whose partitions this process has already ensured. */
export type PartitionCache = Set<string>;

/**
 * Creates the monthly partitions the instants fall in. Runs in its own short statements, before the data
 * transaction, because attaching a partition locks the parent table.
 */
export async function ensurePartitions(db: Kysely<Database>, instants: readonly string[], cache: PartitionCache): Promise<void> {
  const months = new Set(instants.map((t) => t.slice(0, 7)));
  for (const month of months) {
    if (cache.has(month)) continue;
    await sql`select envmon_ensure_reading_partition(${`${month}-01T00:00:00Z`}::timestamptz)`.execute(db);
    cache.add(month);
  }
}
