/**
 * The read-only console pages against a real database: what a duty officer sees — AQI in its HJ 633 colour, a
 * water section's class against its target, late and silent sites, demo data labelled, the site page's CSV equal
 * to its chart data, the 31-day bound, targets and reports that never read as an all-clear by being empty.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type AppConfig } from '../../config/load-config.ts';
import { ruleSchema, siteSchema, targetSchema } from '../../config/schema.ts';
import { syncConfig } from '../../db/sync-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { hourlyRows, storeHours } from '../support/console-seed.ts';
import { readPagesApp } from '../support/read-pages-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const root = path.resolve(import.meta.dirname, '../..');
/** 2025-11-20 12:30 Beijing time: HJ 633-2012 and GB 3095-2012 apply. */
const NOW = new Date('2025-11-20T04:30:00Z');
const at = (beijing: string) => Date.parse(`${beijing}+08:00`);

let database: TestDatabase;
let config: AppConfig;
let parameterIds: ParameterIds;
let app: FastifyInstance;

const sites = siteSchema.array().parse([
  { code: 'A1', nameZh: '城北站', nameEn: 'North', kind: 'air_station', area: '北区' },
  { code: 'A2', nameZh: '静默站', nameEn: 'Quiet', kind: 'air_station', area: '北区' },
  { code: 'A3', nameZh: '迟到站', nameEn: 'Late', kind: 'air_station', area: '北区' },
  { code: 'W1', nameZh: '河口断面', nameEn: 'Estuary', kind: 'surface_water', area: '南区', waterBody: 'river' },
]);
const waterTarget = targetSchema.parse({
  id: 'w1-class-iii', document: '某市“十四五”生态环境保护规划', clause: '表2 地表水考核断面', nature: 'binding', scope: { site: 'W1' }, indicator: 'water_class',
  target: { year: 2025, comparator: 'class_at_least', value: 'III' }, validFrom: '2021-01-01', validTo: '2025-12-31',
});

beforeAll(async () => {
  database = await createTestDatabase();
  const base = loadConfig({}, root);
  config = {
    ...base, sites, sources: [], targets: [waterTarget],
    rules: ruleSchema.array().parse([{ id: 'feeds-silent', kind: 'no_data', sources: ['station-feed'], afterMinutes: 120 }]),
  };
  parameterIds = await syncConfig(database.db, config);
  await database.db.insertInto('source').values([
    { id: 'station-feed', kind: 'hj212-listener', name: '站点直连', schedule: '*/5 * * * *', settings: JSON.stringify({}) },
    { id: 'sim-water', kind: 'water-simulator', name: '水质模拟', schedule: '*/5 * * * *', settings: JSON.stringify({}) },
  ]).execute();
  const deps = { db: database.db, pool: database.pool, parameterIds, now: () => NOW };
  // A1: 24 hours to 12:00 of PM2.5 80, PM10 120, SO2 10, NO2 40, CO 0.8, O3 100 (μg/m³; CO mg/m³).
  await storeHours(deps, null, 'station-feed', hourlyRows('A1', { pm2_5: '80', pm10: '120', so2: '10', no2: '40', co: '0.8', o3: '100' }, at('2025-11-20T12:00:00'), 24));
  // A2: silent since the evening before; A3: its newest hour is 07:00, 5 h 30 min before now.
  await storeHours(deps, null, 'station-feed', hourlyRows('A2', { pm2_5: '20', pm10: '30', so2: '5', no2: '10', co: '0.3', o3: '40' }, at('2025-11-19T20:00:00'), 6));
  await storeHours(deps, null, 'station-feed', hourlyRows('A3', { pm2_5: '20', pm10: '30', so2: '5', no2: '10', co: '0.3', o3: '40' }, at('2025-11-20T07:00:00'), 6));
  // W1, simulated: DO 7.6 (Ⅰ), CODMn 5 (Ⅲ), NH3-N 1.2 (Ⅳ), TP 0.1 (Ⅱ, river) — the section is Ⅳ类 by NH3-N.
  const water = hourlyRows('W1', { do: '7.6', codmn: '5', nh3_n: '1.2', tp: '0.1' }, at('2025-11-20T12:00:00'), 1);
  const earlier = hourlyRows('W1', { do: '7.6', codmn: '5', nh3_n: '0.8', tp: '0.1' }, at('2025-11-20T08:00:00'), 1);
  await storeHours(deps, null, 'sim-water', [...earlier, ...water]);
  const a2 = await database.db.selectFrom('site').select('id').where('code', '=', 'A2').executeTakeFirstOrThrow();
  await database.db.insertInto('alert').values({
    dedup_key: 'feeds-silent|station-feed|site:A2', rule_id: 'feeds-silent', site_id: a2.id, source_id: 'station-feed', state: 'firing', severity: 'warning',
    first_seen_at: new Date(at('2025-11-19T22:00:00')), fired_at: new Date(at('2025-11-19T22:00:00')), last_evaluated_at: NOW, evidence: JSON.stringify({}) as never,
  }).execute();
  app = await readPagesApp(database.db, config, parameterIds, () => NOW);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

/** The HTML of one overview row, by its site code. */
function row(page: string, site: string): string {
  const match = new RegExp(`<tr data-site="${site}"[^>]*>[\\s\\S]*?</tr>`).exec(page);
  if (!match) throw new Error(`no row for ${site}`);
  return match[0];
}

describe('总览', () => {
  it('shows the latest hourly AQI in its HJ 633 category colour, with the primary pollutant and the 24-h PM2.5', async () => {
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    const a1 = row(response.body, 'A1');
    // By hand, HJ 633-2012 Table 1: PM2.5 80 on 75–115 → 100 + 50/40 × 5 = 106.25 → 107; PM10 120 → 85;
    // SO2 10 → 4; NO2 40 → 20; CO 0.8 → 8; O3 100 → 32. AQI 107, 轻度污染 (101–150, level 3), primary PM2.5.
    expect(a1).toContain('<td class="aqi aqi-3"><span class="v">107</span> <span class="cat">轻度污染</span></td>');
    expect(a1).toContain('<td>PM2.5</td>');
    expect(a1).toContain('<td class="num">80</td>');
    expect(a1).toContain('2025-11-20 12:00');
    expect(a1).toContain('class="exceeding"');
  });

  it('marks a water section at Ⅳ类 against its Ⅲ类 target as not meeting it, and labels its simulated data', async () => {
    const w1 = row((await app.inject({ url: '/' })).body, 'W1');
    expect(w1).toContain('<td class="wclass wclass-IV">Ⅳ类<br><small>NH₃-N</small></td>');
    expect(w1).toContain('<td class="target">Ⅲ类</td>');
    expect(w1).toContain('<span class="badge fail">未达标</span>');
    expect(w1).toContain('模拟数据');
  });

  it('highlights the silent site and the late one with how late, and counts them', async () => {
    const page = (await app.inject({ url: '/' })).body;
    expect(row(page, 'A2')).toMatch(/row-silent[\s\S]*<span class="badge silent">静默/);
    // 12:30 − 07:00 = 5 h 30 min.
    expect(row(page, 'A3')).toContain('<span class="badge late">迟到 5 小时</span>');
    expect(row(page, 'A1')).not.toContain('badge late');
    const count = (name: string) => new RegExp(`data-count="${name}"><span class="n">(\\d+)</span>`).exec(page)?.[1];
    expect({ sites: count('sites'), exceeding: count('exceeding'), late: count('late'), silent: count('silent'), demo: count('demo') }).toEqual({ sites: '4', exceeding: '2', late: '1', silent: '1', demo: '1' });
    // Faults in red; demonstration data is a caution of its own colour, not a fault.
    expect(page).toContain('<div class="tile alarm" data-count="silent">');
    expect(page).toContain('<div class="tile demo" data-count="demo">');
  });

  it('filters by area and kind from the query string', async () => {
    const page = (await app.inject({ url: `/?area=${encodeURIComponent('南区')}` })).body;
    expect(page).toContain('data-site="W1"');
    expect(page).not.toContain('data-site="A1"');
    const air = (await app.inject({ url: '/?kind=air_station' })).body;
    expect(air).toContain('data-site="A1"');
    expect(air).not.toContain('data-site="W1"');
  });

  it('speaks English when asked', async () => {
    const page = (await app.inject({ url: '/?lang=en' })).body;
    expect(row(page, 'A1')).toContain('<span class="cat">Lightly polluted</span>');
    expect(row(page, 'W1')).toContain('Class IV');
  });
});

describe('站点', () => {
  it('carries the chart data and the limit of the date, and the CSV equals the points shown', async () => {
    const page = await app.inject({ url: '/sites/A1?from=2025-11-19&to=2025-11-20' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<script src="/assets/echarts.min.js"></script>');
    const json = /<script type="application\/json" id="site-data">([\s\S]*?)<\/script>/.exec(page.body)?.[1] ?? '';
    const data = JSON.parse(json) as { series: { parameter: string; hourly: [number, string][]; means: { window: string; points: [number, string | null][] }[]; lines: { label: string; value: number }[] }[] };
    const pm = data.series.find((s) => s.parameter === 'pm2_5');
    expect(pm?.hourly).toHaveLength(24);
    // GB 3095-2012 Table 1, Grade II: PM2.5 24-hour mean 75 μg/m³.
    expect(pm?.lines.map((l) => [l.value, l.label])).toContainEqual([75, 'GB 3095-2012 表1 二级 PM2.5 24小时平均 75 μg/m³']);
    expect(pm?.means[0]?.points.find(([t]) => t === at('2025-11-20T12:00:00'))?.[1]).toBe('80');
    // It is 12:30 on the 20th: that day's row says its figures reach 12:00 and the day is not over; the 19th's is whole.
    expect(page.body).toContain('<tr data-day="2025-11-20" class="incomplete"><td class="time">2025-11-20<br><small class="muted">截至 12:00，当日未完</small></td>');
    expect(page.body).toContain('<tr data-day="2025-11-19"><td class="time">2025-11-19</td>');

    const csv = await app.inject({ url: '/sites/A1/data.csv?from=2025-11-19&to=2025-11-20' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    const shown = data.series.reduce((n, s) => n + new Set([...s.hourly.map(([t]) => t), ...s.means.flatMap((m) => m.points.filter(([, v]) => v !== null).map(([t]) => t))]).size, 0);
    expect(lines.length - 1).toBe(shown);
    expect(lines).toContain('A1,2025-11-20T12:00:00+08:00,pm2_5,μg/m³,80,,80,');
    expect(lines).toContain('A1,2025-11-20T12:00:00+08:00,o3,μg/m³,100,100,,');
  });

  it('refuses more than 31 days with a clear 400, on the page and the CSV', async () => {
    const page = await app.inject({ url: '/sites/A1?from=2025-10-01&to=2025-11-02' });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('at most 31 per request');
    expect((await app.inject({ url: '/sites/A1/data.csv?from=2025-10-01&to=2025-11-02' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/sites/A1?from=2025-10-21&to=2025-11-20' })).statusCode).toBe(200);
  });

  it('answers an unknown site with 404 naming the known ones and the near miss', async () => {
    const page = await app.inject({ url: '/sites/A1x' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('您是否要找 <a href="/sites/A1">A1</a>');
    for (const code of ['A2', 'A3', 'W1']) expect(page.body).toContain(`<a href="/sites/${code}">${code}</a>`);
  });

  it('shows a water section with its class bands and its target class line, DO as ≥', async () => {
    const page = await app.inject({ url: '/sites/W1' });
    const data = JSON.parse(/id="site-data">([\s\S]*?)<\/script>/.exec(page.body)?.[1] ?? '{}') as { series: { parameter: string; bands: { cls: string; lo: number; hi: number | null; direction: string }[]; lines: { label: string; value: number }[] }[] };
    const dissolved = data.series.find((s) => s.parameter === 'do');
    // GB 3838-2002 Table 1 DO: Ⅰ ≥ 7.5, Ⅱ ≥ 6, Ⅲ ≥ 5, Ⅳ ≥ 3, Ⅴ ≥ 2.
    expect(dissolved?.bands.slice(0, 3)).toEqual([{ cls: 'I', lo: 7.5, hi: null, direction: '>=' }, { cls: 'II', lo: 6, hi: 7.5, direction: '>=' }, { cls: 'III', lo: 5, hi: 6, direction: '>=' }]);
    expect(dissolved?.lines).toEqual([expect.objectContaining({ value: 5, label: '目标 III类 ≥ 5' })]);
    expect(page.body).toContain('<td class="wclass wclass-IV">Ⅳ类</td>');
  });
});

describe('目标 and 报告', () => {
  it('lists the water target with its document, clause and year-to-date result (the mean of the year, not the last sample)', async () => {
    const page = (await app.inject({ url: '/targets' })).body;
    const target = /<tr data-target="w1-class-iii"[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
    expect(target).toContain('某市“十四五”生态环境保护规划');
    expect(target).toContain('表2 地表水考核断面');
    // The year to date: NH3-N (0.8 + 1.2) / 2 = 1.0 ≤ 1.0 mg/L meets Ⅲ类, though the last sample alone is Ⅳ类.
    expect(target).toContain('<td class="num" data-label="年内至今">Ⅲ类<br><small class="muted">2 次</small></td>');
    expect(target).toContain('<span class="state-on_track">达标</span>');
    expect(target).toContain('<td class="num" data-label="目标值">Ⅲ类或更好<br>');
  });

  it('says so when no target is in force instead of showing an empty table', async () => {
    const bare = await readPagesApp(database.db, { ...config, targets: [] }, parameterIds, () => NOW);
    try {
      const page = (await bare.inject({ url: '/targets' })).body;
      expect(page).toContain('未配置规划目标');
      expect(page).toContain('data-state="no-targets"');
    } finally {
      await bare.close();
    }
  });

  it('shows the daily summary of a day with data, and says why for a future day or a day without data', async () => {
    const ready = await app.inject({ url: '/reports?date=2025-11-20' });
    expect(ready.body).toContain('data-state="ready"');
    expect(ready.body).toContain('环境空气');
    expect((await app.inject({ url: '/reports?date=2025-11-21' })).body).toContain('data-state="future"');
    expect((await app.inject({ url: '/reports?date=2025-10-01' })).body).toContain('data-state="no-data"');
    expect((await app.inject({ url: '/reports?date=2025-02-30' })).statusCode).toBe(400);
    const doc = await app.inject({ url: '/reports/daily/2025-11-20?download=html' });
    expect(doc.headers['content-disposition']).toBe('attachment; filename="daily-report-2025-11-20.html"');
    expect(doc.body).toContain('<html');
    expect((await app.inject({ url: '/reports' })).body).toContain('尚未生成月报或年报');
  });

  it('serves its assets itself, the AQI colours from HJ 633 Table 2', async () => {
    const css = await app.inject({ url: '/assets/console.css' });
    expect(css.body).toContain('.aqi-3 { background: rgb(255, 126, 0);');
    const echarts = await app.inject({ url: '/assets/echarts.min.js' });
    expect(echarts.statusCode).toBe(200);
    expect(echarts.headers['cache-control']).toContain('max-age');
    expect((await app.inject({ url: '/assets/site-chart.js' })).body).toContain('site-data');
  });
});
