/**
 * What a run left in the database, reduced to what must not depend on how the run went: for each table, rows as
 * (key, value) texts over stable columns — never ids, processing times (ingested_at, updated_at, created_at,
 * event times) or attempt counters — with an md5 checksum computed in SQL. Two runs over the same input are equal
 * when every checksum is; otherwise `compareStates` counts, per table, rows lost, duplicated, spurious and altered.
 *
 * Alerts are named by rule, site, parameter and the data time they were first seen (their ids differ between
 * databases); their events and outbox rows by that name and the transition. Their evidence — values, windows,
 * limits, the "late" label — is compared whole: with data of 2016 every value is late on every run, so the label
 * does not depend on when a job ran.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';

export const stateTables = ['readings', 'quarantine', 'windows', 'cursors', 'alerts', 'alert_events', 'outbox', 'deliveries'] as const;
export type StateTable = (typeof stateTables)[number];

export interface TableState {
  rows: { k: string; v: string }[];
  checksum: string;
}
export type StableState = Record<StateTable, TableState>;

const alertName = (a: string) => sql.raw(`concat_ws('|', ${a}.rule_id, (select code from site where id = ${a}.site_id), (select code from parameter where id = ${a}.parameter_id), to_char(${a}.first_seen_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'))`);
const utc = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`);

/** Per table: a query giving `k` (what the row stands for) and `v` (what it says). */
const projections: Record<StateTable, ReturnType<typeof sql<{ k: string; v: string }>>> = {
  readings: sql`select concat_ws('|', s.code, p.code, r.period, ${utc('r.observed_at')}) as k, concat_ws('|', r.value::text, r.unit, r.flag, coalesce(r.source_id, '-'), r.revision) as v
    from reading r join site s on s.id = r.site_id join parameter p on p.id = r.parameter_id`,
  quarantine: sql`select concat_ws('|', coalesce(source_id, '-'), code, md5(raw)) as k, concat_ws('|', reason, status) as v from quarantine`,
  windows: sql`select concat_ws('|', s.code, p.code, w.kind, ${utc('w.window_end')}) as k, concat_ws('|', coalesce(w.sum::text, '-'), w.valid_count, coalesce(w.value::text, '-'), coalesce(w.max_hour::text, '-'), coalesce(w.hour_count::text, '-')) as v
    from window_aggregate w join site s on s.id = w.site_id join parameter p on p.id = w.parameter_id`,
  cursors: sql`select id as k, coalesce(${utc('cursor')}, '-') as v from source`,
  alerts: sql`select ${alertName('a')} as k, concat_ws('|', a.dedup_key, coalesce(a.source_id, '-'), a.state, a.severity, coalesce(${utc('a.fired_at')}, '-'), coalesce(${utc('a.resolved_at')}, '-'), ${utc('a.last_evaluated_at')}, a.late, a.evidence::text) as v from alert a`,
  alert_events: sql`select concat_ws('|', ${alertName('a')}, coalesce(e.from_state, '-'), e.to_state) as k, concat_ws('|', coalesce(e.note, '-'), coalesce(e.evidence::text, '-')) as v
    from alert_event e join alert a on a.id = e.alert_id`,
  outbox: sql`select concat_ws('|', o.kind, coalesce(${alertName('a')}, '-'), regexp_replace(o.dedup_key, '^alert:[0-9]+:', 'alert:')) as k, concat_ws('|', o.status, o.payload::text) as v
    from notification_outbox o left join alert a on a.id = o.alert_id`,
  deliveries: sql`select concat_ws('|', o.kind, coalesce(${alertName('a')}, '-'), regexp_replace(o.dedup_key, '^alert:[0-9]+:', 'alert:'), d.recipient, d.channel) as k, d.status as v
    from notification_delivery d join notification_outbox o on o.id = d.outbox_id left join alert a on a.id = o.alert_id`,
};

export async function stableState(db: Kysely<Database>): Promise<StableState> {
  const state = {} as StableState;
  for (const table of stateTables) {
    const query = projections[table];
    const rows = (await query.execute(db)).rows;
    const checksum = await sql<{ md5: string | null; n: number }>`select md5(string_agg(k || '=' || v, E'\n' order by k, v)) as md5, count(*)::int as n from (${query}) t`.execute(db);
    const row = checksum.rows[0];
    state[table] = { rows: rows.map((r) => ({ k: r.k, v: r.v })), checksum: `${row?.n ?? 0}:${row?.md5 ?? 'empty'}` };
  }
  return state;
}

export interface TableDiff {
  rows: number;
  /** Keys of the clean run missing from this one. */
  lost: number;
  /** Rows beyond the clean run's count for a key both have. */
  duplicated: number;
  /** Keys the clean run does not have. */
  spurious: number;
  /** Keys both have whose values differ. */
  altered: number;
  checksumEqual: boolean;
  /** A few differing keys, for the failure message. */
  examples: string[];
}

export function compareStates(clean: StableState, run: StableState): Record<StateTable, TableDiff> {
  const out = {} as Record<StateTable, TableDiff>;
  for (const table of stateTables) {
    const expected = group(clean[table].rows);
    const actual = group(run[table].rows);
    const diff: TableDiff = { rows: run[table].rows.length, lost: 0, duplicated: 0, spurious: 0, altered: 0, checksumEqual: clean[table].checksum === run[table].checksum, examples: [] };
    const note = (what: string, key: string) => {
      if (diff.examples.length < 6) diff.examples.push(`${what}: ${key}`);
    };
    for (const [key, values] of expected) {
      const got = actual.get(key);
      if (!got) {
        diff.lost += values.length;
        note('lost', key);
        continue;
      }
      if (got.length > values.length) {
        diff.duplicated += got.length - values.length;
        note('duplicated', key);
      } else if (got.length < values.length) {
        diff.lost += values.length - got.length;
        note('lost', key);
      }
      const a = [...values].sort();
      const b = [...got].sort();
      if (a.slice(0, b.length).some((v, i) => v !== b[i])) {
        diff.altered++;
        note('altered', key);
      }
    }
    for (const [key, values] of actual) {
      if (!expected.has(key)) {
        diff.spurious += values.length;
        note('spurious', key);
      }
    }
    out[table] = diff;
  }
  return out;
}

function group(rows: readonly { k: string; v: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of rows) {
    const list = map.get(r.k);
    if (list) list.push(r.v);
    else map.set(r.k, [r.v]);
  }
  return map;
}

/** Tables that differ from the clean run, with their counts and a few examples; empty when all are equal. */
export function differences(diff: Record<StateTable, TableDiff>): Record<string, TableDiff> {
  return Object.fromEntries(Object.entries(diff).filter(([, d]) => !d.checksumEqual || d.lost + d.duplicated + d.spurious + d.altered > 0));
}

/** "rows / lost / duplicated / spurious / altered" of a table, for the printed figures. */
export function figures(d: TableDiff): string {
  return `${d.rows} / ${d.lost} / ${d.duplicated} / ${d.spurious} / ${d.altered}${d.checksumEqual ? '' : ' (checksum differs)'}`;
}

/** The printed figures of the given tables. */
export function tableFigures(diff: Record<StateTable, TableDiff>, tables: readonly StateTable[] = stateTables): Record<string, string> {
  return Object.fromEntries(tables.map((t) => [`${t}: rows / lost / duplicated / spurious / altered`, figures(diff[t])]));
}
