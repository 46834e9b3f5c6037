/**
 * Incremental rolling aggregates equal a from-scratch recomputation, whatever order the data arrive in: random
 * batches, late hours, revised values and values later flagged invalid, over a month boundary. Also checks the
 * stored windows against the pure standard functions (standards/air-series.ts) on the final data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregatesOf, refreshAggregates, type AggregateRow } from '../../db/repositories/aggregates.repository.ts';
import { firstStoredEnd, STORED_MOVING_HOURS, type SeriesWatermark } from '../../db/repositories/moving-windows.repository.ts';
import { rebuildAggregates, recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { siteIdsByCode } from '../../db/repositories/sites.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { seriesChanges } from '../../evaluate/evaluate-changes.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { divideRounded, parseDecimal } from '../../lib/decimal.ts';
import { sql } from 'kysely';
import { HOUR_MS } from '../../lib/time.ts';
import { windowStatistics, type HourlySeries } from '../../standards/air-series.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let siteId: number;
const partitions = new Set<string>();
const now = () => new Date('2027-06-01T00:00:00Z');
const parameters = ['pm2_5', 'o3', 'co'] as const;

beforeAll(async () => {
  database = await createTestDatabase();
  parameterIds = await syncConfig(database.db, testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' }));
  siteId = (await siteIdsByCode(database.db, ['Dongsi'])).get('Dongsi') as number;
});
afterAll(async () => {
  await database.drop();
});

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Delivery {
  parameter: string;
  observedAt: string;
  value: string;
  flag: string;
}

/** The final data of ~33 days, plus earlier versions of some hours that later batches revise. */
function scenario(seed: number): { final: Delivery[]; arrivals: Delivery[][] } {
  const rnd = random(seed);
  const start = Date.parse('2026-12-31T16:00:00Z'); // 2027-01-01 00:00 Beijing: the first hour ends 01:00
  const hours = 33 * 24;
  const value = (parameter: string) => (parameter === 'co' ? (Math.floor(rnd() * 40) / 20 + 0.05 * Math.floor(rnd() * 2)).toFixed(2) : String(Math.floor(rnd() * 300)));
  const final: Delivery[] = [];
  const early: Delivery[] = [];
  for (let i = 1; i <= hours; i++) {
    const observedAt = new Date(start + i * HOUR_MS).toISOString();
    for (const parameter of parameters) {
      if (rnd() < 0.04) continue; // missing hour
      const flag = rnd() < 0.03 ? 'M' : 'N';
      const reading = { parameter, observedAt, value: value(parameter), flag };
      final.push(reading);
      // An earlier version: a different value, or valid then flagged later (or the reverse).
      if (rnd() < 0.06) early.push({ ...reading, value: value(parameter), flag: rnd() < 0.3 ? (flag === 'N' ? 'M' : 'N') : flag });
    }
  }
  // Mostly in time order in batches of random size; some batches held back and delivered late.
  const batches: Delivery[][] = [];
  let i = 0;
  while (i < final.length) {
    const size = 1 + Math.floor(rnd() * 150);
    batches.push(final.slice(i, i + size));
    i += size;
  }
  const ordered: Delivery[][] = [];
  const held: Delivery[][] = [];
  for (const batch of batches) (rnd() < 0.15 ? held : ordered).push(batch);
  for (const batch of held) ordered.splice(Math.floor(rnd() * (ordered.length + 1)), 0, batch);
  // Earlier versions arrive before their final values (a revision always follows what it revises).
  for (const e of early) {
    const finalIndex = ordered.findIndex((b) => b.some((d) => d.parameter === e.parameter && d.observedAt === e.observedAt));
    ordered.splice(Math.floor(rnd() * (finalIndex + 1)), 0, [e]);
  }
  return { final, arrivals: ordered };
}

async function deliver(batch: readonly Delivery[]): Promise<void> {
  const readings = batch.map((d) => ({ site: 'Dongsi', parameter: d.parameter, period: 'hour' as const, observedAt: d.observedAt, value: d.value, unit: d.parameter === 'co' ? 'mg/m³' : 'μg/m³', flag: d.flag }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now }, { sourceId: 'beijing-replay', readings, rejections: [] });
  const changes = seriesChanges(touchedSeries(readings), new Map([['Dongsi', siteId]]), parameterIds);
  const refreshed = await database.db.transaction().execute((trx) => refreshAggregates(trx, changes));
  for (const r of refreshed) reported.set(r.parameterId, { siteId: r.siteId, parameterId: r.parameterId, parameter: r.parameter, watermark: r.watermark });
}

/** The watermark each refresh reported last, by parameter id: what the rules pass to aggregatesOf. */
const reported = new Map<number, SeriesWatermark>();

const key = (r: AggregateRow) => `${r.kind}|${r.parameterId}|${r.windowEnd.toISOString()}`;
const canonical = (r: AggregateRow) => ({
  ...r,
  sum: r.sum === null ? null : parseDecimal(r.sum),
  value: r.value === null ? null : parseDecimal(r.value),
  maxHour: r.maxHour === null ? null : parseDecimal(r.maxHour),
});

async function stored(): Promise<AggregateRow[]> {
  const rows = await database.db.selectFrom('window_aggregate').selectAll().where('site_id', '=', siteId).execute();
  return rows.map((r) => canonical({ siteId: r.site_id, parameterId: r.parameter_id, kind: r.kind, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value, maxHour: r.max_hour, hourCount: r.hour_count })).sort((a, b) => key(a).localeCompare(key(b)));
}

/** Every window of the site as the queries and rules read them (aggregatesOf), over the recomputation's range. */
async function readBack(parameterIds: number[], first: Date, last: Date, watermarks?: readonly SeriesWatermark[]): Promise<AggregateRow[]> {
  const rows: AggregateRow[] = [];
  for (const kind of ['8h', '24h', 'day', 'month', 'year'] as const) rows.push(...(await aggregatesOf(database.db, kind, [siteId], parameterIds, kind === '8h' || kind === '24h' ? first : new Date(0), kind === '8h' || kind === '24h' ? last : new Date('2100-01-01'), watermarks)));
  return rows.map(canonical).sort((a, b) => key(a).localeCompare(key(b)));
}

async function reset(): Promise<void> {
  await database.db.deleteFrom('window_aggregate').execute();
  await database.db.deleteFrom('series_watermark').execute();
  await database.db.deleteFrom('reading').execute();
  reported.clear();
}

describe('incremental rolling aggregates', () => {
  for (const seed of [11, 29, 47, 83]) {
    it(`equal a recomputation from raw readings over random arrival orders (seed ${seed})`, async () => {
      await reset();
      const { final, arrivals } = scenario(seed);
      expect(arrivals.length).toBeGreaterThan(10);
      for (const batch of arrivals) await deliver(batch);

      const series = parameters.map((p) => ({ siteId, parameterId: parameterIds.get(p) as number, parameter: p }));
      const first = new Date(Math.min(...final.map((d) => Date.parse(d.observedAt))));
      const last = new Date(Math.max(...final.map((d) => Date.parse(d.observedAt))));
      const recomputed = (await recomputeAggregates(database.db, series, first, last)).map(canonical).sort((a, b) => key(a).localeCompare(key(b)));
      const incremental = await stored();
      // Stored: the moving windows of the last STORED_MOVING_HOURS of each series, and every day, month and year.
      // Each series' horizon ends at its own newest hour (the last hour of a parameter may be missing).
      const newest = new Map(parameters.map((p) => [parameterIds.get(p), Math.max(...final.filter((d) => d.parameter === p).map((d) => Date.parse(d.observedAt)))]));
      const storedPart = recomputed.filter((r) => (r.kind !== '8h' && r.kind !== '24h') || r.windowEnd.getTime() >= firstStoredEnd(newest.get(r.parameterId) ?? 0));
      expect(storedPart.filter((r) => r.kind === '8h').length).toBeGreaterThan(STORED_MOVING_HOURS * 3 * 0.8);
      expect(recomputed.length).toBeGreaterThan(storedPart.length + 20 * 24 * 3 * 2);
      expect(incremental).toEqual(storedPart);
      // Read, every window is there: the older moving ones computed from the readings.
      const read = await readBack(series.map((s) => s.parameterId), first, last);
      expect(read).toEqual(recomputed);
      // So it is with the watermarks the refreshes reported instead of those read back (as the rules pass them).
      expect(reported.size).toBe(parameters.length);
      expect(await readBack(series.map((s) => s.parameterId), first, last, [...reported.values()])).toEqual(recomputed);
      // A rebuild from scratch (what an operator runs after a bulk load) writes the same rows.
      await database.db.deleteFrom('window_aggregate').execute();
      await rebuildAggregates(database.db, series, first, last);
      expect(await stored()).toEqual(incremental);

      // The same figures as the standard's functions on the final data (only flag N counts).
      const hourly: HourlySeries = new Map(parameters.map((p) => [p, new Map<number, string>()]));
      for (const d of final) if (d.flag === 'N') hourly.get(d.parameter)?.set(Date.parse(d.observedAt), d.value);
      for (const p of parameters) {
        const id = parameterIds.get(p) as number;
        for (const kind of ['24h', 'day', 'month'] as const) {
          const expected = windowStatistics(hourly, p, kind, new Date(first.getTime() - HOUR_MS), last).filter((w) => w.valid);
          const actual = read.filter((r) => r.parameterId === id && r.kind === kind && r.value !== null);
          expect(actual.map((r) => [r.windowEnd.toISOString(), r.value]), `${p} ${kind}`).toEqual(expected.map((w) => [w.time.toISOString(), w.value]));
        }
      }
    });
  }

  it('refreshes only the windows a new hour touches', async () => {
    await reset();
    const { final } = scenario(5);
    await deliver(final.filter((d) => d.observedAt < '2027-01-20'));
    const before = new Map((await stored()).map((r) => [key(r), r]));
    // Every stored window is marked as written long ago; a refresh sets updated_at to now() on what it rewrites.
    const marker = new Date('2000-01-01T00:00:00Z');
    await database.db.updateTable('window_aggregate').set({ updated_at: marker }).execute();
    await deliver([{ parameter: 'pm2_5', observedAt: '2027-01-20T00:00:00.000Z', value: '999', flag: 'N' }]);
    const touched = await database.db.selectFrom('window_aggregate').select(['kind', 'window_end']).where('updated_at', '>', marker).execute();
    // The 8-h and 24-h means ending at the new hour and its day (Jan 20 Beijing); the month and year only if the
    // day's value changed (it is not valid yet, so they did not).
    expect(touched.map((t) => `${t.kind} ${t.window_end.toISOString()}`).sort()).toEqual(['24h 2027-01-20T00:00:00.000Z', '8h 2027-01-20T00:00:00.000Z', 'day 2027-01-20T16:00:00.000Z']);
    const recomputed = await recomputeAggregates(database.db, [{ siteId, parameterId: parameterIds.get('pm2_5') as number, parameter: 'pm2_5' }], new Date('2027-01-20T00:00:00.000Z'), new Date('2027-01-20T00:00:00.000Z'));
    const after = new Map((await stored()).map((r) => [key(r), r]));
    for (const r of recomputed.map(canonical)) expect(after.get(key(r))).toEqual(r);
    expect(recomputed.map((r) => r.kind).sort()).toEqual(['24h', '8h', 'day', 'month', 'year']);
    expect(before.size).toBeGreaterThan(1000);
    // The same hour refreshed again: figures that did not change are not rewritten.
    await database.db.updateTable('window_aggregate').set({ updated_at: marker }).execute();
    await deliver([{ parameter: 'pm2_5', observedAt: '2027-01-20T00:00:00.000Z', value: '999', flag: 'N' }]);
    expect(await database.db.selectFrom('window_aggregate').select('kind').where('updated_at', '>', marker).execute()).toEqual([]);
  });
});

describe('rounding in the database', () => {
  it('envmon_round_half_even agrees with GB/T 8170 rounding in exact decimals, halves included', async () => {
    const rnd = random(7);
    const cases: { num: string; den: number; digits: number }[] = [
      { num: '2.5', den: 1, digits: 0 }, // half → even: 2
      { num: '3.5', den: 1, digits: 0 }, // 4
      { num: '0.125', den: 1, digits: 2 }, // 0.12
      { num: '-2.5', den: 1, digits: 0 }, // -2
      { num: '151', den: 2, digits: 0 }, // 75.5 → 76
      { num: '149', den: 2, digits: 0 }, // 74.5 → 74
    ];
    for (let i = 0; i < 300; i++) cases.push({ num: (Math.floor(rnd() * 2_000_000) / 1000).toFixed(3), den: 1 + Math.floor(rnd() * 24), digits: Math.floor(rnd() * 3) });
    const { rows } = await sql<{ v: string }>`
      select envmon_round_half_even(n, d, g)::text as v
      from unnest(${cases.map((c) => c.num)}::numeric[], ${cases.map((c) => c.den)}::int[], ${cases.map((c) => c.digits)}::int[]) with ordinality as t(n, d, g, i)
      order by i`.execute(database.db);
    const expected = cases.map((c) => {
      const [int = '', frac = ''] = c.num.replace('-', '').split('.');
      const scaled = BigInt(int + frac) * (c.num.startsWith('-') ? -1n : 1n);
      return divideRounded(scaled, BigInt(c.den), frac.length, c.digits);
    });
    expect(rows.map((r) => parseDecimal(r.v))).toEqual(expected.map((e) => parseDecimal(e)));
    expect(rows.slice(0, 6).map((r) => r.v)).toEqual(['2', '4', '0.12', '-2', '76', '74']);
  });
});
