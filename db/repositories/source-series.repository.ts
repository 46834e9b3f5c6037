/**
 * `source_series`: which source ever delivered which series (site + parameter), with the first and latest interval
 * end delivered. Written in the transaction that stores the readings; read by the no-data rules (what a source is
 * expected to keep delivering) and wherever demonstration data must be labelled (which sources fed a site).
 */
import { sql, type Kysely } from 'kysely';
import { originOfKind, strongestOrigin, type DataOrigin } from '../../lib/data-origin.ts';
import type { ReadingRow } from './readings.repository.ts';
import type { Database } from '../schema.ts';

/** Records the series of stored rows as delivered by `sourceId`, in the caller's transaction. */
export async function recordSourceSeries(trx: Kysely<Database>, sourceId: string, rows: readonly ReadingRow[]): Promise<void> {
  if (rows.length === 0) return;
  const series = new Map<number, { siteId: number; parameterId: number; first: string; latest: string }>();
  for (const r of rows) {
    const key = r.siteId * 65_536 + r.parameterId;
    const s = series.get(key);
    if (!s) series.set(key, { siteId: r.siteId, parameterId: r.parameterId, first: r.observedAt, latest: r.observedAt });
    else {
      if (isBefore(r.observedAt, s.first)) s.first = r.observedAt;
      if (isBefore(s.latest, r.observedAt)) s.latest = r.observedAt;
    }
  }
  // In key order, so two batches upserting the same series cannot deadlock.
  const list = [...series.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  await sql`
    insert into source_series (source_id, site_id, parameter_id, first_at, latest_at)
    select ${sourceId}, site_id, parameter_id, first_at, latest_at
    from unnest(${list.map((s) => s.siteId)}::integer[], ${list.map((s) => s.parameterId)}::smallint[], ${list.map((s) => s.first)}::timestamptz[], ${list.map((s) => s.latest)}::timestamptz[])
      with ordinality as b(site_id, parameter_id, first_at, latest_at, n)
    order by n
    on conflict (source_id, site_id, parameter_id) do update
      set first_at = least(source_series.first_at, excluded.first_at), latest_at = greatest(source_series.latest_at, excluded.latest_at)
      where excluded.first_at < source_series.first_at or excluded.latest_at > source_series.latest_at`.execute(trx);
}

/** ISO instants from toISOString() compare as text; other spellings of an instant are parsed. */
function isBefore(a: string, b: string): boolean {
  return a.length === b.length && a.endsWith('Z') && b.endsWith('Z') ? a < b : Date.parse(a) < Date.parse(b);
}

export interface DeliveredSeries {
  site: string;
  parameter: string;
  /** The newest interval end the source delivered for this site and parameter. */
  latest: Date;
}

/** Every series a source ever delivered, with its newest time. */
export async function deliveredSeries(db: Kysely<Database>, sourceId: string): Promise<DeliveredSeries[]> {
  const rows = await db
    .selectFrom('source_series as ss')
    .innerJoin('site as s', 's.id', 'ss.site_id')
    .innerJoin('parameter as p', 'p.id', 'ss.parameter_id')
    .select(['s.code as site', 'p.code as parameter', 'ss.latest_at as latest'])
    .where('ss.source_id', '=', sourceId)
    .orderBy('s.code')
    .orderBy('p.code')
    .execute();
  return rows;
}

/**
 * Stops expecting what a source delivered for a site (or one series of it): deletes its `source_series` rows and
 * returns the parameters they were. The readings stay; should the source deliver the series again, it is expected
 * again from then on.
 */
export async function forgetDeliveredSeries(db: Kysely<Database>, sourceId: string, site: string, parameter: string | null): Promise<string[]> {
  const rows = await sql<{ parameter: string }>`
    delete from source_series ss using site s, parameter p
    where ss.source_id = ${sourceId} and s.id = ss.site_id and p.id = ss.parameter_id and s.code = ${site}
      ${parameter === null ? sql`` : sql`and p.code = ${parameter}`}
    returning p.code as parameter`.execute(db);
  return rows.rows.map((r) => r.parameter).sort();
}

/** Every site the sources ever delivered data of, with the source that did (a row per site and source). */
export async function sitesFedBy(db: Kysely<Database>, sourceIds: readonly string[]): Promise<{ site_id: number; source_id: string }[]> {
  const { rows } = await sql<{ site_id: number; source_id: string }>`select distinct site_id, source_id from source_series where source_id = any(${sourceIds}::text[])`.execute(db);
  return rows;
}

export interface OriginSpan {
  from: Date;
  to: Date;
}

/**
 * The origin of the data of sites: `simulated` when a simulated source fed the site (even in part), else `replayed`
 * when a replayed one did; sites fed only by measuring sources are absent. With `span`, only sources that delivered
 * data of the site within it count (a site once fed by the demo and now by its real station is not labelled for
 * today's data).
 */
export async function dataOrigins(db: Kysely<Database>, siteIds: readonly number[], span?: OriginSpan): Promise<Map<number, DataOrigin>> {
  const rows = await originRows(db, siteIds, span);
  const bySite = new Map<number, (DataOrigin | null)[]>();
  for (const r of rows) bySite.set(r.siteId, [...(bySite.get(r.siteId) ?? []), originOfKind(r.kind)]);
  return definedOrigins(bySite);
}

/** As `dataOrigins`, per series: keys `${siteId}|${parameterId}`. */
export async function seriesOrigins(db: Kysely<Database>, siteIds: readonly number[], span?: OriginSpan): Promise<Map<string, DataOrigin>> {
  const rows = await originRows(db, siteIds, span);
  const bySeries = new Map<string, (DataOrigin | null)[]>();
  for (const r of rows) {
    const key = `${r.siteId}|${r.parameterId}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), originOfKind(r.kind)]);
  }
  return definedOrigins(bySeries);
}

async function originRows(db: Kysely<Database>, siteIds: readonly number[], span: OriginSpan | undefined): Promise<{ siteId: number; parameterId: number; kind: string }[]> {
  if (siteIds.length === 0) return [];
  let query = db
    .selectFrom('source_series as ss')
    .innerJoin('source as src', 'src.id', 'ss.source_id')
    .select(['ss.site_id as siteId', 'ss.parameter_id as parameterId', 'src.kind'])
    .where('ss.site_id', 'in', [...new Set(siteIds)])
    .where('src.kind', 'in', ['water-simulator', 'replay-csv']);
  if (span) query = query.where('ss.latest_at', '>=', span.from).where('ss.first_at', '<=', span.to);
  return query.execute();
}

function definedOrigins<K>(found: Map<K, (DataOrigin | null)[]>): Map<K, DataOrigin> {
  const out = new Map<K, DataOrigin>();
  for (const [key, list] of found) {
    const origin = strongestOrigin(list);
    if (origin) out.set(key, origin);
  }
  return out;
}

/** Each demonstration source's delivery span per series of the sites: for labelling things at their own times. */
export async function demoDeliveries(db: Kysely<Database>, siteIds: readonly number[]): Promise<{ siteId: number; parameterId: number; origin: DataOrigin; first: Date; latest: Date }[]> {
  if (siteIds.length === 0) return [];
  const rows = await db
    .selectFrom('source_series as ss')
    .innerJoin('source as src', 'src.id', 'ss.source_id')
    .select(['ss.site_id as siteId', 'ss.parameter_id as parameterId', 'src.kind', 'ss.first_at as first', 'ss.latest_at as latest'])
    .where('ss.site_id', 'in', [...new Set(siteIds)])
    .where('src.kind', 'in', ['water-simulator', 'replay-csv'])
    .execute();
  return rows.flatMap((r) => {
    const origin = originOfKind(r.kind);
    return origin ? [{ siteId: r.siteId, parameterId: r.parameterId, origin, first: r.first, latest: r.latest }] : [];
  });
}
