/**
 * bench:evaluate — incremental evaluation against recomputation from raw readings, in one run.
 *
 * Data: 2,000 air stations × 5 pollutants = 10,000 hourly series with 90 days of history (deterministic
 * pseudo-random values, ~21.6 M readings), their rolling windows built once from scratch. Then, twice, one
 * new hour arrives for every series: it is stored (timed apart), and
 * - incremental: refresh the windows it touches (8-h and 24-h means ending at it, its day, month and year) and run
 *   the rules over them (GB 3095 Grade II on 1-h NO2, 8-h O3 and 24-h PM2.5, a PM10 spike rule), alerts included;
 * - baseline: a single SQL statement recomputing the same windows from the raw readings.
 * The two results are checked equal. Last line: the ratio of the means.
 *
 * Uses DATABASE_URL if set, else the local PostgreSQL at 127.0.0.1:5432, else an embedded one; works in a
 * temporary database that is dropped at the end.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, type AppConfig } from '../config/load-config.ts';
import { ruleSchema } from '../config/schema.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { rebuildAggregates, recomputeAggregates } from '../db/repositories/aggregates-recompute.ts';
import type { AggregateRow, SeriesKey } from '../db/repositories/aggregates.repository.ts';
import { syncConfig } from '../db/sync-config.ts';
import { evaluateChanges } from '../evaluate/evaluate-changes.ts';
import { storeBatch } from '../ingest/store-batch.ts';
import { parseDecimal } from '../lib/decimal.ts';
import { createLogger } from '../lib/logger.ts';
import { DAY_MS, HOUR_MS } from '../lib/time.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';

const SITES = 2_000;
const PARAMETERS = ['pm2_5', 'pm10', 'so2', 'no2', 'o3'] as const;
const DAYS = 90;
/** The first new hour: 2026-10-16 10:00 Beijing time (mid-month, so the month holds 15 days of history). */
const FIRST_NEW_HOUR = Date.parse('2026-10-16T02:00:00Z');
const ROUNDS = 2;
const root = path.resolve(import.meta.dirname, '..');
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

async function measure(database: DatabaseHandle): Promise<void> {
  const base = loadConfig({}, root);
  const sites = Array.from({ length: SITES }, (_, i) => `B${String(i + 1).padStart(4, '0')}`);
  const config: AppConfig = {
    ...base,
    sites: sites.map((code) => ({ code, nameZh: code, nameEn: code, kind: 'air_station' as const, area: 'bench', timeZone: 'Asia/Shanghai' })),
    sources: [],
    targets: [],
    rules: ruleSchema.array().parse([
      { id: 'pm25-24h-grade2', kind: 'threshold', scope: { areas: ['bench'] }, parameter: 'pm2_5', window: '24h', limit: { standard: 'GB 3095', grade: 2 }, forEvaluations: 2 },
      { id: 'o3-8h-grade2', kind: 'threshold', scope: { areas: ['bench'] }, parameter: 'o3', window: '8h', limit: { standard: 'GB 3095', grade: 2 } },
      { id: 'no2-1h-grade2', kind: 'threshold', scope: { areas: ['bench'] }, parameter: 'no2', window: '1h', limit: { standard: 'GB 3095', grade: 2 } },
      { id: 'pm10-spike', kind: 'rate_of_change', scope: { areas: ['bench'] }, parameter: 'pm10', maxRise: 60, minValue: 50 },
    ]),
  };
  const parameterIds = await syncConfig(database.db, config);
  const siteIds = new Map((await database.db.selectFrom('site').select(['id', 'code']).execute()).map((s) => [s.code, s.id]));
  const series: SeriesKey[] = sites.flatMap((code) => PARAMETERS.map((parameter) => ({ siteId: siteIds.get(code) as number, parameterId: parameterIds.get(parameter) as number, parameter })));

  const historyFrom = FIRST_NEW_HOUR - DAYS * DAY_MS;
  let t = performance.now();
  await loadHistory(database.db, series, historyFrom, FIRST_NEW_HOUR - HOUR_MS);
  const readings = Number((await sql<{ n: string }>`select count(*) as n from reading`.execute(database.db)).rows[0]?.n ?? 0);
  process.stdout.write(`history: ${series.length.toLocaleString('en')} series × ${DAYS} days = ${readings.toLocaleString('en')} readings, loaded in ${seconds(t)} s\n`);
  t = performance.now();
  // What the incremental path reads: every day (months and years are built from days), and the moving windows
  // of the last two days (an O3 day value is the best of its stored 8-h means). Older moving windows are never
  // read again, so they are not built here.
  const periods = await rebuildAggregates(database.db, series, new Date(historyFrom + HOUR_MS), new Date(FIRST_NEW_HOUR - HOUR_MS), ['day', 'month', 'year']);
  const moving = await rebuildAggregates(database.db, series, new Date(FIRST_NEW_HOUR - 2 * DAY_MS), new Date(FIRST_NEW_HOUR - HOUR_MS), ['8h', '24h']);
  process.stdout.write(`rolling windows built from scratch: ${(periods + moving).toLocaleString('en')} in ${seconds(t)} s\n`);

  const deps = { db: database.db, pool: database.pool, parameterIds, partitions: new Set<string>(), now: () => new Date(FIRST_NEW_HOUR + ROUNDS * HOUR_MS) };
  const incremental: number[] = [];
  const recompute: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const hour = FIRST_NEW_HOUR + round * HOUR_MS;
    const observedAt = new Date(hour).toISOString();
    const batch = sites.flatMap((site, i) => PARAMETERS.map((parameter, j) => ({ site, parameter, period: 'hour' as const, observedAt, value: String(valueOf(i, j, hour)), unit: 'μg/m³', flag: 'N' })));
    t = performance.now();
    await storeBatch(deps, { sourceId: null, readings: batch, rejections: [] });
    const storeSeconds = seconds(t);

    const changes = new Map(sites.map((site) => [site, PARAMETERS.map((parameter) => ({ parameter, from: new Date(hour - HOUR_MS).toISOString(), to: observedAt }))]));
    t = performance.now();
    const result = await evaluateChanges({ db: database.db, config, parameterIds, now: deps.now }, changes);
    incremental.push(performance.now() - t);

    t = performance.now();
    const reference = await recomputeAggregates(database.db, series, new Date(hour), new Date(hour));
    recompute.push(performance.now() - t);

    const stored = await storedWindows(database.db, reference);
    const mismatches = reference.filter((r) => JSON.stringify(canonical(r)) !== JSON.stringify(stored.get(keyOf(r))));
    if (mismatches.length > 0) throw new Error(`${mismatches.length} windows differ from the recomputation, e.g. ${JSON.stringify(mismatches[0])}`);
    process.stdout.write(
      `hour ${round + 1}: stored ${batch.length.toLocaleString('en')} readings in ${storeSeconds} s; ` +
        `incremental ${(incremental[round] as number / 1000).toFixed(3)} s (windows of ${result.series.toLocaleString('en')} series ${(result.refreshMs / 1000).toFixed(3)} s, ${result.observations.toLocaleString('en')} rule evaluations with ${result.transitions} alert changes ${(result.rulesMs / 1000).toFixed(3)} s); ` +
        `SQL recompute of the same ${reference.length.toLocaleString('en')} windows ${(recompute[round] as number / 1000).toFixed(3)} s; results equal\n`,
    );
  }
  const inc = mean(incremental) / 1000;
  const rec = mean(recompute) / 1000;
  process.stdout.write(`mean: incremental ${inc.toFixed(3)} s, recompute ${rec.toFixed(3)} s\n`);
  process.stdout.write(`incremental/recompute ratio: ${(inc / rec).toFixed(3)}\n`);
}

/** A deterministic value per site, parameter and hour, with a daily cycle: enough variety for real windows and some breaches. */
function valueOf(site: number, parameter: number, hour: number): number {
  const h = Math.floor(hour / HOUR_MS);
  const noise = ((site * 7919 + parameter * 104_729 + h * 2_654_435_761) >>> 0) % 1000;
  return 10 + ((h % 24) * 3) + (noise % 60) + (site % 7) * 5;
}

async function loadHistory(db: DatabaseHandle['db'], series: readonly SeriesKey[], from: number, to: number): Promise<void> {
  for (let month = from; month <= to + 31 * DAY_MS; month += 28 * DAY_MS) await sql`select envmon_ensure_reading_partition(${new Date(Math.min(month, to))}::timestamptz)`.execute(db);
  // One statement per parameter; the same formula as valueOf, in SQL.
  for (const [j, parameter] of PARAMETERS.entries()) {
    const ids = series.filter((s) => s.parameter === parameter);
    await sql`
      insert into reading (site_id, parameter_id, period, observed_at, value, unit, flag, source_id)
      select s.site_id, ${ids[0]?.parameterId}::smallint, 'hour', h, 10 + (extract(epoch from h)::bigint / 3600 % 24) * 3
             + (((s.n * 7919 + ${j} * 104729 + (extract(epoch from h)::bigint / 3600) * 2654435761) % 4294967296) % 1000) % 60 + (s.n % 7) * 5,
             'μg/m³', 'N', null
      from unnest(${ids.map((s) => s.siteId)}::int[], ${ids.map((_, i) => i)}::bigint[]) as s(site_id, n)
      cross join generate_series(${new Date(from)}::timestamptz, ${new Date(to)}::timestamptz, interval '1 hour') h`.execute(db);
  }
  await sql`analyze reading`.execute(db);
}

const keyOf = (r: AggregateRow) => `${r.siteId}|${r.parameterId}|${r.kind}|${r.windowEnd.toISOString()}`;
const canonical = (r: AggregateRow) => ({ ...r, sum: r.sum === null ? null : parseDecimal(r.sum), value: r.value === null ? null : parseDecimal(r.value), maxHour: r.maxHour === null ? null : parseDecimal(r.maxHour) });

async function storedWindows(db: DatabaseHandle['db'], reference: readonly AggregateRow[]): Promise<Map<string, ReturnType<typeof canonical>>> {
  const ends = [...new Set(reference.map((r) => r.windowEnd.getTime()))].map((e) => new Date(e));
  const rows = await db.selectFrom('window_aggregate').selectAll().where('window_end', 'in', ends).execute();
  return new Map(
    rows.map((r) => {
      const row = canonical({ siteId: r.site_id, parameterId: r.parameter_id, kind: r.kind, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value, maxHour: r.max_hour, hourCount: r.hour_count });
      return [keyOf(row), row];
    }),
  );
}

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(2);
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

await withScratchDatabase('envmon_bench', log, measure);
