import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import type { ClientTransaction } from '../client-transaction.ts';
import type { Database } from '../schema.ts';
import { storedAlready } from './stored-digest.ts';

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

const COLUMNS = 'site_id, parameter_id, period, observed_at, value, unit, flag, source_id';

export interface SeriesRange {
  siteId: number;
  parameterId: number;
  period: string;
  /** ISO instants of the first and last row. */
  lo: string;
  hi: string;
}

/**
 * Stores readings in bulk, in the caller's transaction. New keys are inserted; identical rows are left alone
 * (nothing rewritten); a changed value, flag or unit for an existing key (a source's revision) updates the row,
 * and the `reading_keep_revision` trigger keeps the previous version in `reading_revision`. Of several rows
 * with one key in `rows`, the last wins and the others count as unchanged.
 *
 * Two paths, both through COPY (never one INSERT per reading, never bind-parameter limits):
 * - append: when no stored reading of the batch's series falls inside the batch's time range — the usual case
 *   for new data — the rows are copied straight into `reading`;
 * - merge: otherwise they are copied into a temporary staging table and upserted from there.
 * A key stored by a concurrent writer between the check and the copy, or present twice in the batch, makes the
 * append fail on the primary key; the batch then falls back to the merge within the same transaction.
 * Before a merge, a batch identical to what is stored (a file imported again) is recognised by one digest of the
 * stored rows of its range (stored-digest.ts) and nothing is written.
 */
export async function storeReadings(tx: ClientTransaction, rows: readonly ReadingRow[], sourceId: string | null): Promise<StoreCounts> {
  if (rows.length === 0) return { stored: 0, unchanged: 0, revised: 0 };
  const ranges = seriesRanges(rows);
  if (!(await overlapsStoredReadings(tx.db, ranges))) {
    await tx.client.query('savepoint envmon_append');
    try {
      await copyRows(tx, `copy reading (${COLUMNS}) from stdin`, rows, sourceId);
      await tx.client.query('release savepoint envmon_append');
      return { stored: rows.length, unchanged: 0, revised: 0 };
    } catch (error) {
      // A key stored meanwhile by another writer, or twice in this batch: the merge sorts it out.
      if ((error as { code?: string }).code !== '23505') throw error;
      await tx.client.query('rollback to savepoint envmon_append');
    }
  }
  if (await storedAlready(tx.db, rows, ranges)) return { stored: 0, unchanged: rows.length, revised: 0 };
  return mergeRows(tx, rows, sourceId);
}

/** Per series (site, parameter, period), the time range of its rows; null when the rows hold too many periods. */
function seriesRanges(rows: readonly ReadingRow[]): SeriesRange[] | null {
  // Keyed by number, not by a built string: this runs once per reading of every batch.
  const series = new Map<number, SeriesRange>();
  const periods = new Map<string, number>();
  for (const r of rows) {
    let p = periods.get(r.period);
    if (p === undefined) periods.set(r.period, (p = periods.size));
    const key = (r.siteId * 4 + p) * 65_536 + r.parameterId;
    const s = series.get(key);
    // ISO instants from toISOString() sort as text.
    if (!s) series.set(key, { siteId: r.siteId, parameterId: r.parameterId, period: r.period, lo: r.observedAt, hi: r.observedAt });
    else if (r.observedAt < s.lo) s.lo = r.observedAt;
    else if (r.observedAt > s.hi) s.hi = r.observedAt;
  }
  return periods.size > 4 ? null : [...series.values()];
}

/** Whether any stored reading of the rows' series lies within the rows' time range for that series. */
async function overlapsStoredReadings(db: Kysely<Database>, list: readonly SeriesRange[] | null): Promise<boolean> {
  if (list === null) return true;
  const result = await sql<{ overlaps: boolean }>`
    select exists (
      select 1
      from unnest(${list.map((s) => s.siteId)}::integer[], ${list.map((s) => s.parameterId)}::smallint[],
                  ${list.map((s) => s.period)}::text[], ${list.map((s) => s.lo)}::timestamptz[], ${list.map((s) => s.hi)}::timestamptz[])
             as b(site_id, parameter_id, period, lo, hi)
      where exists (
        select 1 from reading r
        where r.site_id = b.site_id and r.parameter_id = b.parameter_id and r.period = b.period
          and r.observed_at between b.lo and b.hi
      )
    ) as overlaps`.execute(db);
  return result.rows[0]?.overlaps ?? true;
}

async function mergeRows(tx: ClientTransaction, rows: readonly ReadingRow[], sourceId: string | null): Promise<StoreCounts> {
  await tx.client.query(`
    create temporary table if not exists reading_staging (
      seq bigint generated always as identity,
      site_id integer, parameter_id smallint, period text, observed_at timestamptz,
      value numeric, unit text, flag text, source_id text
    ) on commit delete rows`);
  await copyRows(tx, `copy reading_staging (${COLUMNS}) from stdin`, rows, sourceId);
  // The last of several rows with one key wins (one upsert cannot touch a row twice); sorted by key, the
  // upsert walks the primary-key index in order.
  const result = await tx.client.query<{ stored: number; revised: number }>(`
    with written as (
      insert into reading (${COLUMNS})
      select distinct on (site_id, parameter_id, period, observed_at) ${COLUMNS}
      from reading_staging order by site_id, parameter_id, period, observed_at, seq desc
      on conflict (site_id, parameter_id, period, observed_at) do update
        set value = excluded.value, unit = excluded.unit, flag = excluded.flag,
            source_id = excluded.source_id, ingested_at = now(), derived = false
        -- A value the station reports replaces one envmon derived from its minute data, even an equal one.
        where (reading.value, reading.flag, reading.unit) is distinct from (excluded.value, excluded.flag, excluded.unit) or reading.derived
      returning revision
    )
    select count(*) filter (where revision = 0)::int as stored, count(*) filter (where revision > 0)::int as revised from written`);
  await tx.client.query('truncate reading_staging');
  // Duplicates within the batch count as unchanged.
  const counts = result.rows[0] ?? { stored: 0, revised: 0 };
  return { stored: counts.stored, revised: counts.revised, unchanged: rows.length - counts.stored - counts.revised };
}

async function copyRows(tx: ClientTransaction, statement: string, rows: readonly ReadingRow[], sourceId: string | null): Promise<void> {
  const source = sourceId === null ? '\\N' : escapeCopy(sourceId);
  // A row is its series' fields, its time and value, then its unit, flag and source. The fields around the time and
  // value repeat from row to row: each spelling of them is encoded once, and rows are written straight into the bytes
  // sent. Text joined per chunk would be held twice (the unit's μ and ³ make it UTF-16) and then encoded again.
  const leads = new Map<number, { period: string; bytes: Buffer }>();
  const tails = new Map<string, Map<string, Buffer>>();
  const leadOf = (r: ReadingRow): Buffer => {
    const key = r.siteId * 65_536 + r.parameterId;
    let lead = leads.get(key);
    if (lead?.period !== r.period) leads.set(key, (lead = { period: r.period, bytes: Buffer.from(`${r.siteId}\t${r.parameterId}\t${escapeCopy(r.period)}\t`) }));
    return lead.bytes;
  };
  const tailOf = (r: ReadingRow): Buffer => {
    let ofUnit = tails.get(r.unit);
    if (!ofUnit) tails.set(r.unit, (ofUnit = new Map<string, Buffer>()));
    let tail = ofUnit.get(r.flag);
    if (tail === undefined) ofUnit.set(r.flag, (tail = Buffer.from(`\t${escapeCopy(r.unit)}\t${escapeCopy(r.flag)}\t${source}\n`)));
    return tail;
  };
  function* chunks(): Generator<Buffer> {
    const CHUNK_BYTES = 1 << 18;
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let at = 0;
    for (const r of rows) {
      const lead = leadOf(r);
      const tail = tailOf(r);
      const middle = `${r.observedAt}\t${r.value}`;
      // At most 3 bytes of UTF-8 per UTF-16 unit: the row always fits once a chunk has this much room.
      const room = lead.length + 3 * middle.length + tail.length;
      if (at + room > chunk.length) {
        yield chunk.subarray(0, at);
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
        at = 0;
      }
      at += lead.copy(chunk, at);
      at += chunk.write(middle, at, 'utf8');
      at += tail.copy(chunk, at);
    }
    if (at > 0) yield chunk.subarray(0, at);
  }
  await pipeline(Readable.from(chunks()), tx.client.query(copyFrom(statement)));
}

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function escapeCopy(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c) : text;
}

/** Months (as `YYYY-MM`, UTC) whose partitions this process has already ensured. */
export type PartitionCache = Set<string>;

/**
 * Creates the monthly partitions the instants fall in. Runs in its own short statements, before the data
 * transaction, because attaching a partition locks the parent table.
 */
export async function ensurePartitions(db: Kysely<Database>, instants: Iterable<string>, cache: PartitionCache): Promise<void> {
  const months = new Set<string>();
  let last = '';
  // Runs over every reading of a batch; consecutive ones mostly share their month.
  for (const t of instants) if (last === '' || !t.startsWith(last)) months.add((last = t.slice(0, 7)));
  for (const month of months) {
    if (cache.has(month)) continue;
    await sql`select envmon_ensure_reading_partition(${`${month}-01T00:00:00Z`}::timestamptz)`.execute(db);
    cache.add(month);
  }
}
