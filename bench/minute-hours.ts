/**
 * bench:minute — one hour of the county's grid micro-stations (720 stations × 6 parameters × 60 minutes = 259,200
 * minute values), side by side in one run:
 * - storing: the ingest path (storeBatch: minutes kept apart, each hour marked for derivation in the same
 *   transaction), one batch per minute of the whole grid, against a plain COPY of the same rows into a table like
 *   `minute_reading` (same columns, key and daily partition) with no marks;
 * - deriving: the 4,320 hours through deriveMinuteHours (marks taken, exact means in the process, derived readings,
 *   outcomes, windows marked pending) against one SQL aggregate statement writing the means into a scratch table.
 * Peak RSS of this process is printed at the end.
 *
 * Uses DATABASE_URL if set, else the local PostgreSQL at 127.0.0.1:5432, else an embedded one; works in a
 * temporary database that is dropped at the end.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../config/load-config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { syncConfig } from '../db/sync-config.ts';
import { deriveMinuteHours } from '../ingest/derive-minute-hours.ts';
import type { NormalizedReading } from '../ingest/normalize.ts';
import { storeBatch } from '../ingest/store-batch.ts';
import { createLogger } from '../lib/logger.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';

const STATIONS = 720;
const PARAMETERS = ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;
const UNITS: Record<string, string> = { co: 'mg/m³' };
const HOUR_START = Date.parse('2026-11-20T01:00:00Z');
const NOW = new Date('2026-11-20T03:00:00Z');
const root = path.resolve(import.meta.dirname, '..');
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

/** A plausible value, varying by station, parameter and minute. */
const valueOf = (s: number, p: number, m: number): string => (p === 4 ? `${(s % 9) / 10 + 0.3 + (m % 7) / 100}` : String(20 + ((s * 7 + p * 13 + m * 3) % 60)));
const code = (s: number) => `JC-GRID-${String(s + 1).padStart(3, '0')}`;

async function measure(database: DatabaseHandle & { url: string }): Promise<void> {
  const config = loadConfig({}, root);
  const parameterIds = await syncConfig(database.db, config);
  await database.db
    .insertInto('site')
    .values(Array.from({ length: STATIONS }, (_, s) => ({ code: code(s), name_zh: `网格站${s + 1}`, name_en: `Grid ${s + 1}`, kind: 'air_station', area: '交城县' })))
    .execute();
  const siteIds = new Map((await database.db.selectFrom('site').select(['id', 'code']).execute()).map((r) => [r.code, r.id]));

  // Storing through the ingest path: one batch per minute of the whole grid.
  const deps = { db: database.db, pool: database.pool, parameterIds, partitions: new Set<string>(), now: () => NOW };
  let t = performance.now();
  let stored = 0;
  for (let m = 0; m < 60; m++) {
    const readings: NormalizedReading[] = [];
    const observedAt = new Date(HOUR_START + (m + 1) * 60_000).toISOString();
    for (let s = 0; s < STATIONS; s++) {
      PARAMETERS.forEach((parameter, p) => readings.push({ site: code(s), parameter, period: 'minute', observedAt, value: valueOf(s, p, m), unit: UNITS[parameter] ?? 'μg/m³', flag: 'N', intervalMinutes: 1 }));
    }
    stored += (await storeBatch(deps, { sourceId: null, readings, rejections: [] })).minutes?.stored ?? 0;
  }
  const storeMs = performance.now() - t;

  // Baseline: COPY of the same rows into a table like minute_reading, without marks.
  await sql`create table bench_minute (like minute_reading including defaults including constraints) partition by range (minute_start)`.execute(database.db);
  await sql`alter table bench_minute add primary key (site_id, parameter_id, minute_start)`.execute(database.db);
  await sql`create table bench_minute_day partition of bench_minute for values from ('2026-11-20T00:00:00Z') to ('2026-11-21T00:00:00Z')`.execute(database.db);
  function* lines(): Generator<string> {
    for (let m = 0; m < 60; m++) {
      const start = new Date(HOUR_START + m * 60_000).toISOString();
      let text = '';
      for (let s = 0; s < STATIONS; s++) PARAMETERS.forEach((parameter, p) => (text += `${siteIds.get(code(s))}\t${parameterIds.get(parameter)}\t${start}\t1\t${valueOf(s, p, m)}\tN\t\\N\n`));
      yield text;
    }
  }
  const client = await database.pool.connect();
  t = performance.now();
  try {
    await pipeline(Readable.from(lines()), client.query(copyFrom('copy bench_minute (site_id, parameter_id, minute_start, minutes, value, flag, source_id) from stdin')));
  } finally {
    client.release();
  }
  const copyMs = performance.now() - t;

  // Deriving the hours.
  t = performance.now();
  const derived = await deriveMinuteHours({ db: database.db, parameterIds, partitions: deps.partitions }, NOW);
  const deriveMs = performance.now() - t;

  // Baseline: one aggregate statement.
  await sql`create table bench_hour (site_id int, parameter_id smallint, hour_end timestamptz, minutes int, value numeric)`.execute(database.db);
  t = performance.now();
  await sql`
    insert into bench_hour
    select site_id, parameter_id, date_bin('1 hour', minute_start, timestamptz '2000-01-01 00:00:00+00') + interval '1 hour', sum(minutes), sum(value * minutes) / sum(minutes)
    from bench_minute where flag = 'N'
    group by 1, 2, 3`.execute(database.db);
  const aggregateMs = performance.now() - t;

  const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
  const rows = STATIONS * PARAMETERS.length * 60;
  console.log(`minute values: ${rows.toLocaleString('en-US')} (${STATIONS} stations × ${PARAMETERS.length} parameters × 60 minutes), stored ${stored.toLocaleString('en-US')}`);
  console.log(`store   ingest path with marks : ${(storeMs / 1000).toFixed(2)} s  ${rate(rows, storeMs)}`);
  console.log(`store   plain COPY (baseline)  : ${(copyMs / 1000).toFixed(2)} s  ${rate(rows, copyMs)}  ratio ${(storeMs / copyMs).toFixed(1)}×`);
  console.log(`derive  ${derived.hours.toLocaleString('en-US')} hours (derived ${derived.derived}, insufficient ${derived.insufficient}) : ${(deriveMs / 1000).toFixed(2)} s`);
  console.log(`derive  one SQL aggregate (baseline)        : ${(aggregateMs / 1000).toFixed(2)} s  ratio ${(deriveMs / aggregateMs).toFixed(1)}×`);
  console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

await withScratchDatabase('envmon_bench_minute', log, measure);
