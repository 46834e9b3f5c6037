/**
 * bench:console — the console overview (总览) for 2,000 sites, against baselines measured in the same run.
 *
 * Data: 1,800 air stations × 6 pollutants with 3 days of hourly history and 200 river sections × 4 parameters
 * sampled every 4 hours (~800 k readings, deterministic pseudo-random values, some stations polluted), their
 * stored 8-h / 24-h / day windows; 5 % of the stations 3–9 hours late, 1 % that never delivered, 20 silent ones
 * (firing no-data alerts), 50 sections fed by a water simulator (labelled 模拟数据), a Ⅲ类 target on every section.
 *
 * Timed, several runs each, median and p95 side by side:
 * - `select 1` round trip (the floor of any database read);
 * - naive: the same latest values read with one query per site (what the overview must not do);
 * - overview query (queries/overview-query.ts) + render (web/pages/overview-page.ts);
 * - the full HTTP GET / through Fastify on a local port (page shell included).
 *
 * Uses DATABASE_URL if set, else the local PostgreSQL at 127.0.0.1:5432, else an embedded one; works in a
 * temporary database that is dropped at the end.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, type AppConfig } from '../config/load-config.ts';
import { ruleSchema, siteSchema, targetSchema } from '../config/schema.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { rebuildAggregates } from '../db/repositories/aggregates-recompute.ts';
import type { SeriesKey } from '../db/repositories/aggregates.repository.ts';
import { syncConfig } from '../db/sync-config.ts';
import { createLogger } from '../lib/logger.ts';
import { DAY_MS, HOUR_MS } from '../lib/time.ts';
import { overviewQuery } from '../queries/overview-query.ts';
import { readPagesApp } from '../test/support/read-pages-app.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';
import { renderOverview } from '../web/pages/overview-page.ts';

const AIR = 1_800;
const WATER = 200;
const HISTORY_DAYS = 3;
const RUNS = 15;
/** Now: 2026-10-16 10:20 Beijing time; the newest hour is 10:00. */
const NEWEST = Date.parse('2026-10-16T02:00:00Z');
const NOW = new Date(NEWEST + 20 * 60_000);
const AIR_PARAMETERS = ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;
const WATER_PARAMETERS = ['do', 'codmn', 'nh3_n', 'tp'] as const;
const root = path.resolve(import.meta.dirname, '..');
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

async function measure(database: DatabaseHandle): Promise<void> {
  const base = loadConfig({}, root);
  const air = Array.from({ length: AIR }, (_, i) => `A${String(i + 1).padStart(4, '0')}`);
  const water = Array.from({ length: WATER }, (_, i) => `W${String(i + 1).padStart(4, '0')}`);
  const config: AppConfig = {
    ...base,
    sites: siteSchema.array().parse([
      ...air.map((code, i) => ({ code, nameZh: `空气站${i + 1}`, nameEn: `Air ${i + 1}`, kind: 'air_station', area: `区县${(i % 16) + 1}` })),
      ...water.map((code, i) => ({ code, nameZh: `断面${i + 1}`, nameEn: `Section ${i + 1}`, kind: 'surface_water', area: `区县${(i % 16) + 1}`, waterBody: 'river' })),
    ]),
    sources: [],
    targets: water.map((code) => targetSchema.parse({ id: `${code}-iii`, document: '十四五规划', nature: 'binding', scope: { site: code }, indicator: 'water_class', target: { year: 2026, comparator: 'class_at_least', value: 'III' }, validFrom: '2026-01-01', validTo: '2030-12-31' })),
    rules: ruleSchema.array().parse([{ id: 'feeds-silent', kind: 'no_data', sources: ['stations'], afterMinutes: 120 }]),
  };
  let t = performance.now();
  const parameterIds = await syncConfig(database.db, config);
  const siteIds = new Map((await database.db.selectFrom('site').select(['id', 'code']).execute()).map((s) => [s.code, s.id]));
  await database.db.insertInto('source').values([
    { id: 'stations', kind: 'hj212-listener', name: '站点直连', schedule: '*/5 * * * *', settings: JSON.stringify({}) },
    { id: 'sim', kind: 'water-simulator', name: '水质模拟', schedule: '*/5 * * * *', settings: JSON.stringify({}) },
  ]).execute();

  const from = NEWEST - HISTORY_DAYS * DAY_MS;
  await sql`select envmon_ensure_reading_partition(${new Date(from)}::timestamptz)`.execute(database.db);
  await sql`select envmon_ensure_reading_partition(${new Date(NEWEST)}::timestamptz)`.execute(database.db);
  // Air: 5 % of the stations stop 3–9 hours early (late), 1 % have nothing at all.
  const delivering = air.filter((_, i) => i % 100 !== 99);
  const lastHour = (i: number) => (i % 20 === 7 ? NEWEST - (3 + (i % 7)) * HOUR_MS : NEWEST);
  for (const [j, parameter] of AIR_PARAMETERS.entries()) {
    const id = parameterIds.get(parameter) as number;
    const scale = parameter === 'co' ? 0.02 : parameter === 'o3' ? 2 : 1;
    await sql`
      insert into reading (site_id, parameter_id, period, observed_at, value, unit, flag, source_id)
      select s.site_id, ${id}::smallint, 'hour', h,
             round((5 + (extract(epoch from h)::bigint / 3600 % 24) + (((s.n * 7919 + ${j} * 104729 + (extract(epoch from h)::bigint / 3600) * 2654435761) % 4294967296) % 1000) % 30 + (s.n % 9) * 6) * ${scale}::numeric, 1),
             'μg/m³', 'N', 'stations'
      from unnest(${delivering.map((c) => siteIds.get(c) as number)}::int[], ${delivering.map((_, i) => i)}::bigint[], ${delivering.map((_, i) => new Date(lastHour(i)))}::timestamptz[]) as s(site_id, n, last)
      cross join generate_series(${new Date(from)}::timestamptz, ${new Date(NEWEST)}::timestamptz, interval '1 hour') h
      where h <= s.last
      order by h, s.site_id`.execute(database.db);
  }
  const waterValues: Record<(typeof WATER_PARAMETERS)[number], string> = { do: '6.5 - (s.n % 5) * 0.6', codmn: '3 + (s.n % 6)', nh3_n: '0.3 + (s.n % 8) * 0.2', tp: '0.05 + (s.n % 4) * 0.05' };
  for (const parameter of WATER_PARAMETERS) {
    await sql`
      insert into reading (site_id, parameter_id, period, observed_at, value, unit, flag, source_id)
      select s.site_id, ${parameterIds.get(parameter)}::smallint, 'hour', h, round(${sql.raw(waterValues[parameter])}, 2), 'mg/L', 'N', case when s.n < 50 then 'sim' else 'stations' end
      from unnest(${water.map((c) => siteIds.get(c) as number)}::int[], ${water.map((_, i) => i)}::bigint[]) as s(site_id, n)
      cross join generate_series(${new Date(from)}::timestamptz, ${new Date(NEWEST - 2 * HOUR_MS)}::timestamptz, interval '4 hours') h
      order by h, s.site_id`.execute(database.db);
  }
  await sql`
    insert into source_series (source_id, site_id, parameter_id, first_at, latest_at)
    select source_id, site_id, parameter_id, min(observed_at), max(observed_at) from reading group by source_id, site_id, parameter_id`.execute(database.db);
  // 20 silent stations: a firing no-data alert each.
  await sql`
    insert into alert (dedup_key, rule_id, site_id, source_id, state, severity, first_seen_at, fired_at, last_evaluated_at, evidence)
    select 'feeds-silent|stations|site:' || s.code, 'feeds-silent', s.id, 'stations', 'firing', 'warning', ${NOW}::timestamptz - interval '3 hours', ${NOW}::timestamptz - interval '3 hours', ${NOW}::timestamptz, '{}'::jsonb
    from site s where s.code = any(${air.filter((_, i) => i % 90 === 3)}::text[])`.execute(database.db);
  await sql`analyze`.execute(database.db);
  const readings = Number((await sql<{ n: string }>`select count(*) as n from reading`.execute(database.db)).rows[0]?.n ?? 0);
  const series: SeriesKey[] = (await database.db.selectFrom('source_series').innerJoin('parameter', 'parameter.id', 'source_series.parameter_id').select(['site_id', 'parameter_id', 'parameter.code']).execute()).map((s) => ({ siteId: s.site_id, parameterId: s.parameter_id, parameter: s.code }));
  const windows = await rebuildAggregates(database.db, series, new Date(NEWEST - DAY_MS), new Date(NEWEST), ['8h', '24h', 'day']);
  await sql`analyze`.execute(database.db);
  process.stdout.write(`data: ${AIR + WATER} sites, ${series.length.toLocaleString('en')} series, ${readings.toLocaleString('en')} readings, ${windows.toLocaleString('en')} windows, loaded in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

  // Check once that the page shows what was seeded, so the timings are of a real page.
  const overview = await overviewQuery(database.db, config, parameterIds, {}, NOW);
  process.stdout.write(`overview: ${overview.counts.sites} sites, ${overview.counts.exceeding} exceeding, ${overview.counts.late} late, ${overview.counts.silent} silent, ${overview.counts.demo} demo; ${overview.air.filter((a) => a.aqi !== null).length} with an AQI\n`);

  const app = await readPagesApp(database.db, config, parameterIds, () => NOW);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const results: [string, number[]][] = [];
    const time = async (name: string, work: () => Promise<unknown>) => {
      await work();
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        t = performance.now();
        await work();
        samples.push(performance.now() - t);
      }
      results.push([name, samples]);
    };
    let bytes = 0;
    await time('select 1 round trip', () => sql`select 1`.execute(database.db));
    await time('naive: one query per site', async () => {
      for (const id of siteIds.values()) {
        await sql`select w.parameter_id, r.value from series_watermark w join reading r on r.site_id = w.site_id and r.parameter_id = w.parameter_id and r.period = 'hour' and r.observed_at = w.latest_hour where w.site_id = ${id}`.execute(database.db);
      }
    });
    const rendered = await overviewQuery(database.db, config, parameterIds, {}, NOW);
    await time('overview query', () => overviewQuery(database.db, config, parameterIds, {}, NOW));
    await time('render only', async () => renderOverview(rendered, 'zh'));
    await time('overview query + render', async () => renderOverview(await overviewQuery(database.db, config, parameterIds, {}, NOW), 'zh'));
    await time('HTTP GET / (full page)', async () => {
      const response = await fetch(`${url}/`);
      bytes = (await response.text()).length;
    });
    await time('HTTP GET /?area=区县3', async () => (await fetch(`${url}/?area=${encodeURIComponent('区县3')}`)).text());
    process.stdout.write(`\n${'measurement'.padEnd(30)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(10)}   (${RUNS} runs each)\n`);
    for (const [name, samples] of results) process.stdout.write(`${name.padEnd(30)} ${quantile(samples, 0.5).toFixed(1).padStart(10)} ${quantile(samples, 0.95).toFixed(1).padStart(10)}\n`);
    process.stdout.write(`full page: ${(bytes / 1024).toFixed(0)} KiB of HTML\n`);
  } finally {
    await app.close();
  }
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

await withScratchDatabase('envmon_bench_console', log, (database) => measure(database));
