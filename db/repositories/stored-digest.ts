/**
 * "Nothing changed": whether a batch of readings is exactly what is already stored, checked with one digest instead
 * of a merge that would look up and compare every row (a file imported again cost 3.6 × its first COPY).
 *
 * Both sides write the same text for each row — site id, parameter id, period, interval end (UTC, to the
 * microsecond), value, unit, flag — sort the rows by key and take the MD5 of the whole: here from the batch, in
 * PostgreSQL from the stored rows inside the batch's time range per series. Equal digests and equal counts mean every
 * key of the batch is stored with the very same text (the value's digits, scale included), and no other row lies in
 * its range; anything else — a new or revised row, a value spelled otherwise, a row envmon derived from minute data,
 * two rows of the batch with one key, a server encoding that is not UTF-8 — makes them differ and the batch goes
 * through the ordinary merge. So the check can only send an unchanged batch the slow way, never skip a change.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ReadingRow, SeriesRange } from './readings.repository.ts';

export async function storedAlready(db: Kysely<Database>, rows: readonly ReadingRow[], ranges: readonly SeriesRange[] | null): Promise<boolean> {
  if (ranges === null) return false;
  const batch = batchDigest(rows);
  if (batch === null) return false;
  const { rows: found } = await sql<{ n: number; derived: boolean | null; digest: string | null }>`
    select count(*)::int as n, bool_or(r.derived) as derived,
           md5(string_agg(concat_ws(E'\t', r.site_id, r.parameter_id, r.period, to_char(r.observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.value, r.unit, r.flag), E'\n'
                          order by r.site_id, r.parameter_id, r.period collate "C", r.observed_at)) as digest
    from unnest(${ranges.map((s) => s.siteId)}::integer[], ${ranges.map((s) => s.parameterId)}::smallint[],
                ${ranges.map((s) => s.period)}::text[], ${ranges.map((s) => s.lo)}::timestamptz[], ${ranges.map((s) => s.hi)}::timestamptz[])
           as b(site_id, parameter_id, period, lo, hi)
    join reading r on r.site_id = b.site_id and r.parameter_id = b.parameter_id and r.period = b.period
                  and r.observed_at >= b.lo and r.observed_at <= b.hi`.execute(db);
  const stored = found[0];
  return stored !== undefined && stored.n === rows.length && stored.derived === false && stored.digest === batch;
}

const MICROSECONDS = Buffer.from('000Z\t');

/** The batch's digest, or null when two of its rows share a key (the merge decides which one wins). */
function batchDigest(rows: readonly ReadingRow[]): string | null {
  // Grouped by series, in key order; within a series rows mostly come in time order already (a file's rows).
  const bySeries = new Map<number, ReadingRow[]>();
  const periods = new Map<string, number>();
  for (const r of rows) {
    // toISOString()'s form, which sorts as text; anything else goes to the merge.
    if (r.observedAt.length !== 24 || r.observedAt[23] !== 'Z') return null;
    // Keyed by number, not by a string built for every row (parameter ids are smallint).
    let p = periods.get(r.period);
    if (p === undefined) periods.set(r.period, (p = periods.size));
    if (p >= 8) return null;
    const key = (r.siteId * 65_536 + r.parameterId) * 8 + p;
    const list = bySeries.get(key);
    if (list) list.push(r);
    else bySeries.set(key, [r]);
  }
  const series = [...bySeries.values()].sort((a, b) => compareSeries(a[0] as ReadingRow, b[0] as ReadingRow));
  const hash = createHash('md5');
  // Rows are written straight into bytes that are hashed a chunk at a time, the series' fields and the unit and flag
  // encoded once per spelling: a re-import hashes every stored reading, and text per row (UTF-16 once a unit holds μ
  // or ³) would be most of its garbage.
  const tails = new Map<string, Map<string, Buffer>>();
  const CHUNK_BYTES = 1 << 18;
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = 0;
  let first = true;
  for (const list of series) {
    if (!inTimeOrder(list)) list.sort((a, b) => (a.observedAt < b.observedAt ? -1 : a.observedAt > b.observedAt ? 1 : 0));
    const head = list[0] as ReadingRow;
    const lead = Buffer.from(`${head.siteId}\t${head.parameterId}\t${head.period}\t`);
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as ReadingRow;
      if (i > 0 && (list[i - 1] as ReadingRow).observedAt === r.observedAt) return null;
      let ofUnit = tails.get(r.unit);
      if (!ofUnit) tails.set(r.unit, (ofUnit = new Map<string, Buffer>()));
      let tail = ofUnit.get(r.flag);
      if (tail === undefined) ofUnit.set(r.flag, (tail = Buffer.from(`\t${r.unit}\t${r.flag}`)));
      // At most 3 bytes of UTF-8 per UTF-16 unit, and the line feed before every row but the first.
      const room = 1 + lead.length + 3 * (r.observedAt.length + r.value.length) + MICROSECONDS.length + tail.length;
      if (at + room > chunk.length) {
        // update() has taken the bytes in: the chunk can be written over.
        hash.update(chunk.subarray(0, at));
        if (room > chunk.length) chunk = Buffer.allocUnsafe(room);
        at = 0;
      }
      if (!first) chunk[at++] = 0x0a;
      first = false;
      at += lead.copy(chunk, at);
      // The instant with microseconds, as the SQL above writes it: its first 23 characters, then 000Z.
      at += chunk.write(r.observedAt, at, 23, 'utf8');
      at += MICROSECONDS.copy(chunk, at);
      at += chunk.write(r.value, at, 'utf8');
      at += tail.copy(chunk, at);
    }
  }
  hash.update(chunk.subarray(0, at));
  return hash.digest('hex');
}

/** The SQL's order of series: ids as numbers, then the period by its bytes ("C"). */
function compareSeries(a: ReadingRow, b: ReadingRow): number {
  return a.siteId - b.siteId || a.parameterId - b.parameterId || (a.period < b.period ? -1 : a.period > b.period ? 1 : 0);
}

function inTimeOrder(list: readonly ReadingRow[]): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i - 1] as ReadingRow).observedAt > (list[i] as ReadingRow).observedAt) return false;
  return true;
}
