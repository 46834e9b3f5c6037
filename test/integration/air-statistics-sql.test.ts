/**
 * The air statistics exist once as a reference — the pure functions of standards/air-statistics.ts, through
 * standards/air-series.ts — and twice more in SQL: the incremental refresh (db/repositories/aggregates.repository.ts)
 * and the from-scratch recomputation (aggregates-recompute.ts). Both are checked here against the reference on the
 * same seeded year of data built around GB 3095 Table 4's edges: days with exactly 20 valid hours and with 19, 8-h
 * windows with exactly 6 and 5, values flagged invalid, months with exactly 27 valid days and 26, February with 25
 * and 24, a year with exactly 324 and one with 323, O3 days whose best window ends at 08:00 (the first that counts)
 * after an evening whose windows ending before 08:00 would be higher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregatesOf, refreshAggregates, type AggregateRow } from '../../db/repositories/aggregates.repository.ts';
import { firstStoredEnd } from '../../db/repositories/moving-windows.repository.ts';
import { recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { siteIdsByCode } from '../../db/repositories/sites.repository.ts';
import type { AggregateKind } from '../../db/schema.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { seriesChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { parseDecimal } from '../../lib/decimal.ts';
import { DAY_MS, HOUR_MS } from '../../lib/time.ts';
import { AIR_VALIDITY, daysRequiredInMonth } from '../../standards/air-statistics.ts';
import { windowStatistics, type HourlySeries, type StatsWindow } from '../../standards/air-series.ts';
import { endOfNaturalDay } from '../../standards/natural-day.ts';
import { seededRandom } from '../faults/support/seeded-random.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

const YEAR = 2027;
const DAYS = 365;
const yearStart = endOfNaturalDay(`${YEAR - 1}-12-31`).getTime();
const yearEnd = yearStart + DAYS * DAY_MS;
/** The last days arrive hour by hour (the path live data takes); the rest in month-sized batches, some late. */
const HOURLY_DAYS = 3;
const now = () => new Date(`${YEAR + 1}-02-01T00:00:00Z`);

/** How many valid days a series has in each month: at, one below or above Table 4's minimum. */
interface SeriesPlan {
  parameter: string;
  /** Valid days per month (index 0 = January). */
  validDays: number[];
}

const minimumPlus = (n: number) => Array.from({ length: 12 }, (_, m) => daysRequiredInMonth(m + 1) + n);
const plans: SeriesPlan[] = [
  // 11 × 27 + 27 in February = 324: every month and the year exactly at the minimum.
  { parameter: 'pm2_5', validDays: Array<number>(12).fill(AIR_VALIDITY.daysPerMonth) },
  // March one day short: that month and the year (323) invalid.
  { parameter: 'pm10', validDays: Array.from({ length: 12 }, (_, m) => (m === 2 ? AIR_VALIDITY.daysPerMonth - 1 : AIR_VALIDITY.daysPerMonth)) },
  // February exactly at its 25, the other months one above.
  { parameter: 'so2', validDays: minimumPlus(1).map((n, m) => (m === 1 ? AIR_VALIDITY.daysPerFebruary : n)) },
  // February one short (24), the other months one below or at their minimum, alternately.
  { parameter: 'no2', validDays: Array.from({ length: 12 }, (_, m) => daysRequiredInMonth(m + 1) - (m % 2 === 1 ? 1 : 0)) },
  { parameter: 'o3', validDays: minimumPlus(2) },
  { parameter: 'co', validDays: minimumPlus(0) },
];

let database: TestDatabase;
let parameterIds: ParameterIds;
let siteId: number;
const partitions = new Set<string>();

interface Delivery {
  parameter: string;
  /** Hour end, ms. */
  at: number;
  value: string;
  flag: string;
}

/** Which hours (0 = the 01:00 value) of a day hold a valid value: `count` of them, as one gap or scattered. */
function validHours(rnd: () => number, count: number): Set<number> {
  const missing = 24 - count;
  const hours = new Set(Array.from({ length: 24 }, (_, i) => i));
  if (rnd() < 0.5) {
    // One run of missing hours: the 8-h windows across it hold exactly 8 − run valid values (6 and 5 at the edges).
    const start = Math.floor(rnd() * (24 - missing + 1));
    for (let i = start; i < start + missing; i++) hours.delete(i);
  } else {
    while (hours.size > count) hours.delete(Math.floor(rnd() * 24));
  }
  return hours;
}

/** The final data of the year, and the earlier versions of some hours that later deliveries revise. */
function scenario(seed: number): { final: Delivery[]; early: Delivery[] } {
  const generator = seededRandom(seed);
  const rnd = () => generator.next();
  const final: Delivery[] = [];
  const early: Delivery[] = [];
  const value = (parameter: string) => (parameter === 'co' ? (Math.floor(rnd() * 40) / 20 + 0.05 * Math.floor(rnd() * 2)).toFixed(2) : String(Math.floor(rnd() * 300)));
  for (const plan of plans) {
    const valid = new Set<number>();
    let day = 0;
    for (let m = 0; m < 12; m++) {
      const length = new Date(Date.UTC(YEAR, m + 1, 0)).getUTCDate();
      const chosen = new Set<number>();
      while (chosen.size < Math.min(plan.validDays[m] as number, length)) chosen.add(Math.floor(rnd() * length));
      for (const d of chosen) valid.add(day + d);
      day += length;
    }
    for (let d = 0; d < DAYS; d++) {
      const dayEnd = yearStart + (d + 1) * DAY_MS;
      // A valid day holds 20 … 24 valid hours (exactly 20 most often), an invalid one 19 or fewer.
      const count = valid.has(d) ? [20, 20, 21, 23, 24][Math.floor(rnd() * 5)] as number : [0, 19, 19, 12][Math.floor(rnd() * 4)] as number;
      const hours = validHours(rnd, count);
      for (let i = 0; i < 24; i++) {
        const hourEnd = dayEnd - (23 - i) * HOUR_MS;
        if (hours.has(i)) final.push({ parameter: plan.parameter, at: hourEnd, value: value(plan.parameter), flag: 'N' });
        // A missing hour is sometimes a value flagged invalid (M: maintenance), which counts as missing.
        else if (rnd() < 0.3) final.push({ parameter: plan.parameter, at: hourEnd, value: value(plan.parameter), flag: 'M' });
      }
    }
  }
  o3Edges(final);
  for (const d of final) {
    // An earlier version: another value, or the other flag — a value later invalidated, or validated.
    if (rnd() < 0.02) early.push({ ...d, value: value(d.parameter), flag: rnd() < 0.4 ? (d.flag === 'N' ? 'M' : 'N') : d.flag });
  }
  return { final, early };
}

/**
 * O3 days whose best window is the one ending 08:00, after an evening of high values: a window ending 07:00 or
 * earlier would be higher still but belongs to no day of its own (GB 3095: windows ending 08:00 … 24:00). On a
 * day of each month and on the last day, which arrives hour by hour.
 */
function o3Edges(final: Delivery[]): void {
  const edgeDays = [...Array.from({ length: 12 }, (_, m) => m * 30 + 10), DAYS - 1];
  const o3 = new Map(final.filter((d) => d.parameter === 'o3').map((d) => [d.at, d]));
  for (const day of edgeDays) {
    const dayEnd = yearStart + (day + 1) * DAY_MS;
    for (let i = 0; i < 24; i++) {
      const hourEnd = dayEnd - (23 - i) * HOUR_MS;
      // The evening before (18:00 … 24:00) at 300; this day's 01:00 … 08:00 at 250, the rest low.
      set(o3, hourEnd - DAY_MS, i >= 17 ? '300' : '20');
      set(o3, hourEnd, i < 8 ? '250' : '10');
    }
  }
  const others = final.filter((d) => d.parameter !== 'o3');
  final.length = 0;
  final.push(...others, ...o3.values());
}

function set(o3: Map<number, Delivery>, hourEnd: number, value: string): void {
  o3.set(hourEnd, { parameter: 'o3', at: hourEnd, value, flag: 'N' });
}

async function deliver(batch: readonly Delivery[]): Promise<void> {
  const readings = batch.map((d) => ({ site: 'Dongsi', parameter: d.parameter, period: 'hour' as const, observedAt: new Date(d.at).toISOString(), value: d.value, unit: d.parameter === 'co' ? 'mg/m³' : 'μg/m³', flag: d.flag }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now }, { sourceId: 'beijing-replay', readings, rejections: [] });
  const changes = seriesChanges(touchedSeries(readings), new Map([['Dongsi', siteId]]), parameterIds);
  await database.db.transaction().execute((trx) => refreshAggregates(trx, changes));
}

type Figure = [kind: string, parameter: string, end: string, value: string | null, validCount: number];

const kinds: StatsWindow[] = ['8h', '24h', 'day', 'month', 'year'];

/** What the reference computes, for every window with any valid input. */
function referenceFigures(final: readonly Delivery[]): Figure[] {
  const hourly: HourlySeries = new Map(plans.map((p) => [p.parameter, new Map<number, string>()]));
  for (const d of final) if (d.flag === 'N') hourly.get(d.parameter)?.set(d.at, d.value);
  const out: Figure[] = [];
  for (const { parameter } of plans) {
    for (const kind of kinds) {
      for (const w of windowStatistics(hourly, parameter, kind, new Date(yearStart), new Date(yearEnd))) {
        if (w.validCount > 0 || w.value !== null) out.push([kind, parameter, w.time.toISOString(), w.value === null ? null : parseDecimal(w.value), w.validCount]);
      }
    }
  }
  return out.sort(byKey);
}

function figuresOf(rows: readonly AggregateRow[]): Figure[] {
  const codes = new Map([...parameterIds].map(([code, id]) => [id, code]));
  return rows
    .filter((r) => r.validCount > 0 || r.value !== null)
    .map((r): Figure => [r.kind, codes.get(r.parameterId) ?? '?', r.windowEnd.toISOString(), r.value === null ? null : parseDecimal(r.value), r.validCount])
    .sort(byKey);
}

const byKey = (a: Figure, b: Figure) => `${a[0]}|${a[1]}|${a[2]}`.localeCompare(`${b[0]}|${b[1]}|${b[2]}`);

/** Differences, first few and how many: a readable failure instead of a diff of 100,000 rows. */
function differences(actual: readonly Figure[], expected: readonly Figure[]): { count: number; first: string[] } {
  const a = new Map(actual.map((f) => [`${f[0]}|${f[1]}|${f[2]}`, JSON.stringify(f)]));
  const e = new Map(expected.map((f) => [`${f[0]}|${f[1]}|${f[2]}`, JSON.stringify(f)]));
  const out: string[] = [];
  for (const key of new Set([...a.keys(), ...e.keys()])) if (a.get(key) !== e.get(key)) out.push(`${key}: got ${a.get(key) ?? 'nothing'}, reference ${e.get(key) ?? 'nothing'}`);
  return { count: out.length, first: out.slice(0, 5) };
}

let final: Delivery[];
let reference: Figure[];

beforeAll(async () => {
  database = await createTestDatabase();
  parameterIds = await syncConfig(database.db, testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' }));
  siteId = (await siteIdsByCode(database.db, ['Dongsi'])).get('Dongsi') as number;
  const built = scenario(20_270);
  final = built.final;
  reference = referenceFigures(final);

  const hourlyFrom = yearEnd - HOURLY_DAYS * DAY_MS;
  const bulk = final.filter((d) => d.at <= hourlyFrom);
  // Earlier versions first, then the months — two of them late, after the months that follow them.
  await deliver(built.early.filter((d) => d.at <= hourlyFrom));
  const monthOf = (d: Delivery) => new Date(d.at + 8 * HOUR_MS - HOUR_MS).getUTCMonth();
  for (const m of [0, 1, 3, 4, 5, 2, 6, 7, 9, 10, 11, 8]) await deliver(bulk.filter((d) => monthOf(d) === m));
  for (let t = hourlyFrom + HOUR_MS; t <= yearEnd; t += HOUR_MS) {
    const revised = built.early.filter((d) => d.at === t);
    if (revised.length > 0) await deliver(revised);
    await deliver(final.filter((d) => d.at === t));
  }
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describe('the SQL statistics against the reference (standards/air-statistics.ts)', () => {
  it('the data reach every edge of GB 3095 Table 4', () => {
    const counts = (kind: string) => new Set(reference.filter((f) => f[0] === kind).map((f) => f[4]));
    expect(counts('24h')).toContain(AIR_VALIDITY.hoursPerDay);
    expect(counts('24h')).toContain(AIR_VALIDITY.hoursPerDay - 1);
    expect(counts('8h')).toContain(AIR_VALIDITY.hoursPer8h);
    expect(counts('8h')).toContain(AIR_VALIDITY.hoursPer8h - 1);
    const months = reference.filter((f) => f[0] === 'month');
    expect(months.filter((f) => f[4] === AIR_VALIDITY.daysPerMonth && f[3] !== null).length).toBeGreaterThan(0);
    expect(months.filter((f) => f[4] === AIR_VALIDITY.daysPerMonth - 1 && f[3] === null).length).toBeGreaterThan(0);
    expect(months.find((f) => f[1] === 'so2' && f[2].startsWith(`${YEAR}-02`))?.slice(3)).toEqual([expect.any(String), AIR_VALIDITY.daysPerFebruary]);
    expect(months.find((f) => f[1] === 'no2' && f[2].startsWith(`${YEAR}-02`))?.slice(3)).toEqual([null, AIR_VALIDITY.daysPerFebruary - 1]);
    const years = new Map(reference.filter((f) => f[0] === 'year').map((f) => [f[1], f.slice(3)]));
    expect(years.get('pm2_5')).toEqual([expect.any(String), AIR_VALIDITY.daysPerYear]);
    expect(years.get('pm10')).toEqual([null, AIR_VALIDITY.daysPerYear - 1]);
    // The O3 edge days: the best window ends at 08:00, 250 (the evening's windows would give 300 or near it).
    const o3Day = reference.find((f) => f[0] === 'day' && f[1] === 'o3' && f[2] === new Date(yearEnd).toISOString());
    expect(o3Day?.[3]).toBe('250');
  });

  it('the incremental refresh stores what the reference computes', async () => {
    // Moving means are stored within each series' horizon only (db/repositories/moving-windows.repository.ts).
    const rows = await database.db.selectFrom('window_aggregate').selectAll().where('site_id', '=', siteId).execute();
    const marks = await database.db.selectFrom('series_watermark').select(['parameter_id', 'latest_hour']).where('site_id', '=', siteId).execute();
    const codes = new Map([...parameterIds].map(([code, id]) => [id, code]));
    const horizonStart = new Map(marks.map((m) => [codes.get(m.parameter_id) ?? '?', firstStoredEnd(m.latest_hour.getTime())]));
    const inHorizon = (f: Figure) => (f[0] !== '8h' && f[0] !== '24h') || Date.parse(f[2]) >= (horizonStart.get(f[1]) ?? Number.POSITIVE_INFINITY);
    const stored = figuresOf(rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, kind: r.kind, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value, maxHour: r.max_hour, hourCount: r.hour_count })));
    const expected = reference.filter(inHorizon);
    expect(differences(stored, expected)).toEqual({ count: 0, first: [] });
    expect(stored.length).toBe(expected.length);
  });

  it('what is read back, stored or computed from the readings before the horizon, is what the reference computes', async () => {
    const ids = plans.map((p) => parameterIds.get(p.parameter) as number);
    const read = (await Promise.all(kinds.map((kind) => aggregatesOf(database.db, kind as AggregateKind, [siteId], ids, new Date(yearStart + HOUR_MS), new Date(yearEnd))))).flat();
    const figures = figuresOf(read);
    expect(differences(figures, reference)).toEqual({ count: 0, first: [] });
    expect(figures.length).toBe(reference.length);
  });

  it('the recomputation from raw readings gives what the reference computes', async () => {
    const series = plans.map((p) => ({ siteId, parameterId: parameterIds.get(p.parameter) as number, parameter: p.parameter }));
    const recomputed = figuresOf(await recomputeAggregates(database.db, series, new Date(yearStart + HOUR_MS), new Date(yearEnd)));
    expect(differences(recomputed, reference)).toEqual({ count: 0, first: [] });
    expect(recomputed.length).toBe(reference.length);
  });
});
