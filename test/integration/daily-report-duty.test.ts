/**
 * The daily summary as a county duty officer reads it, on 2026-11-30 (after the 14th Five-Year targets' period):
 * every configured site listed (those without data as 无数据), 武良 shown both by GB 3838 (NH3-N included) and by
 * the plan's target assessment (NH3-N under the special seasonal limit), the alerts of the day listed and counted as
 * of 24:00 that day (the same report whenever it is run), units on every value, a future date refused and today's
 * report marked incomplete, and the day's CSV carrying the origin of each row. Figures derived by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportDailyCommand } from '../../cli/commands/report.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { targetSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { insertAlert } from '../../db/repositories/alerts.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { buildDailyReport, type DailyReport } from '../../reports/daily-report.ts';
import { renderDailyReport } from '../../reports/daily-report-render.ts';
import { dayReadingsCsv } from '../../reports/day-readings-csv.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

const DAY = '2026-11-30';
let database: TestDatabase;
let config: AppConfig;
let parameterIds: ParameterIds;
/** The report built the morning after (08:00 Beijing on 1 December), before anything later happened. */
let morningAfter: DailyReport;

/** A Beijing wall-clock hour-ending label (24:00 ends a day) → the UTC instant it ends. */
const bj = (label: string) => new Date(`${label}+08:00`).toISOString();

async function deliver(sourceId: string | null, site: string, values: Record<string, string[]>, times: string[], now: string): Promise<void> {
  const readings = Object.entries(values).flatMap(([parameter, list]) => list.map((value, i) => ({ site, parameter, period: 'hour' as const, observedAt: bj(times[i] as string), value, unit: parameter === 'pm2_5' ? 'μg/m³' : 'mg/L', flag: 'N' })));
  const at = new Date(now);
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => at }, { sourceId, readings, rejections: [], recordHealth: false });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => at }, touchedSeries(readings));
}

const report = (now: string, date = DAY) => buildDailyReport(database.db, config, parameterIds, date, new Date(now));

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  // The default 武良 NH3-N rule: over 1.0 mg/L, clears at 0.9, fires on the 2nd consecutive breach.
  config = { ...base, rules: base.rules.filter((r) => r.id === 'wuliang-nh3n-class3') };
  parameterIds = await syncConfig(database.db, config);

  // 武良, simulated, every 4 hours. NH3-N from 29 November 20:00:
  //   1.2 (pending) 1.3 (fires at 29th 24:00) | 30th: 0.95 (within 1.0, above 0.9: still firing) 0.85 (resolves at
  //   08:00) 1.1 (pending) 1.4 (fires at 16:00) 0.95 0.96 (held by hysteresis at 24:00).
  // The 30th's means: NH3-N (0.95 + 0.85 + 1.1 + 1.4 + 0.95 + 0.96) / 6 = 6.21 / 6 = 1.035 → GB 3838 Ⅳ类 (1.0 < x ≤ 1.5),
  // within the plan's winter special limit 8; DO 6.1 (Ⅱ类, ≥ 6), CODMn 5.2 (Ⅲ类, ≤ 6), TP 0.15 (Ⅲ类, river ≤ 0.2).
  const day30 = ['2026-11-30T04:00', '2026-11-30T08:00', '2026-11-30T12:00', '2026-11-30T16:00', '2026-11-30T20:00', '2026-11-30T24:00'];
  await deliver('water-simulator', 'JC-SW-WULIANG', { nh3_n: ['1.2', '1.3', '0.95', '0.85', '1.1', '1.4', '0.95', '0.96'] }, ['2026-11-29T20:00', '2026-11-29T24:00', ...day30], '2026-11-30T17:00:00Z');
  await deliver('water-simulator', 'JC-SW-WULIANG', { codmn: Array<string>(6).fill('5.2'), tp: Array<string>(6).fill('0.15'), do: Array<string>(6).fill('6.1') }, day30, '2026-11-30T17:00:00Z');
  // 安固桥, measured (no demonstration source), one sample at 12:00: CODMn 4.7 (Ⅲ类, 4 < x ≤ 6), NH3-N 0.757 (Ⅲ类,
  // 0.5 < x ≤ 1.0), TP 0.146 (Ⅲ类, 0.1 < x ≤ 0.2); it has no plan target.
  await deliver(null, 'JC-SW-ANGUQIAO', { codmn: ['4.7'], nh3_n: ['0.757'], tp: ['0.146'] }, ['2026-11-30T12:00'], '2026-11-30T17:00:00Z');
  // 东四, replayed, PM2.5 80 μg/m³ every hour: day mean 80 over the GB 3095-2026 transition limit 60,
  // 超标倍数 (80 − 60) / 60 = 0.333… → 0.33.
  const hours = Array.from({ length: 24 }, (_, i) => new Date(Date.parse(`${DAY}T01:00:00+08:00`) + i * HOUR_MS).toISOString());
  const readings = hours.map((observedAt) => ({ site: 'Dongsi', parameter: 'pm2_5', period: 'hour' as const, observedAt, value: '80', unit: 'μg/m³', flag: 'N' }));
  const at = new Date('2026-11-30T17:00:00Z');
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => at }, { sourceId: 'beijing-replay', readings, rejections: [], recordHealth: false });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => at }, touchedSeries(readings));

  morningAfter = await report('2026-12-01T00:00:00Z');
});
afterAll(async () => {
  await database.drop();
});

describe('daily summary for the duty officer', () => {
  it('lists every configured site of its kinds; those without data as 无数据, never left out', async () => {
    expect(morningAfter.air.map((a) => [a.site, a.hasData])).toEqual([
      ['JC-AIR-TOWN', false],
      ['JL-AIR-TOWN', false],
      ['Dongsi', true],
      ['Tiantan', false],
      ['Guanyuan', false],
      ['Wanshouxigong', false],
    ]);
    expect(morningAfter.water.map((w) => [w.site, w.hasData])).toEqual([
      ['JC-SW-BEIYUKOU', false],
      ['JC-SW-CHAKOU', false],
      ['JC-SW-WULIANG', true],
      ['JC-SW-ANGUQIAO', true],
      ['JC-DW-DAYING', false],
      ['JC-DW-WAYAO', false],
      ['JL-SW-HEXICUN', false],
    ]);
    const { text, html } = renderDailyReport(morningAfter, null);
    const lines = text.split('\n');
    expect(lines).toContain('  交城县城区：无数据（有效小时 PM2.5 0/24、PM10 0/24、SO2 0/24、NO2 0/24、CO 0/24、O3 0/24）');
    expect(lines).toContain('  大营水源地：无数据（当日 0 个样本）');
    expect(lines).toContain('  瓦窑水源地：无数据（当日 0 个样本）');
    expect(html).toContain('<td>大营水源地</td>');
    expect(html).toContain('<td>交城县城区</td>');
  });

  it('shows 武良 by GB 3838 with NH3-N (Ⅳ类) and by the plan target with its special limit (达标), and the target as carried over', async () => {
    const wuliang = morningAfter.water.find((w) => w.site === 'JC-SW-WULIANG');
    expect(wuliang).toMatchObject({
      gb3838: { class: 'IV', worst: [{ parameter: 'nh3_n', class: 'IV', value: '1.035' }] },
      class: 'III',
      targetClass: 'III',
      meets: true,
      seasonal: [{ parameter: 'nh3_n', limit: 8, value: '1.035', breached: false }],
      target: { id: 'JC-WULIANG-2025', carriedOver: '十四五目标，2025年末到期，仍沿用' },
      samples: 6,
    });
    const { text, html } = renderDailyReport(morningAfter, null);
    expect(text.split('\n')).toContain(
      '  【模拟数据】磁窑河武良：GB 3838 单因子 Ⅳ类（氨氮 1.035 mg/L 为Ⅳ类）；目标 Ⅲ类（十四五目标，2025年末到期，仍沿用），达标：氨氮按规划季节特别限值 ≤ 8 mg/L 考核（1.035 mg/L，达标），其余项目 Ⅲ类（高锰酸盐指数 5.2 mg/L、总磷 0.15 mg/L）（假定：武良氨氮冬季限值按11–3月（采暖期）执行，县规划未界定冬季月份）；样本 6 个',
    );
    expect(html).toContain('<td>Ⅳ类</td>');
    expect(html).toContain('Ⅲ类（十四五目标，2025年末到期，仍沿用）');
    // 安固桥 has no target: 无目标, not 无数据; its values carry their unit.
    expect(text.split('\n')).toContain('  安固桥：GB 3838 单因子 Ⅲ类（高锰酸盐指数 4.7 mg/L、氨氮 0.757 mg/L、总磷 0.146 mg/L 为Ⅲ类）；无目标；样本 1 个');
    expect(html).toMatch(/<td>安固桥<\/td>(<td>[^<]*<\/td>){2}<td>无目标<\/td>/);
  });

  it('lists and counts the alerts as of 24:00 that day, so the same date gives the same report whenever it is run', async () => {
    // By hand: the NH3-N alert fired on the 29th at 24:00 and resolved at 08:00 on the 30th; the next fired at 16:00
    // and was still firing at 24:00. Opened on the 30th 1, resolved 1, open at 24:00 1; both listed.
    expect(morningAfter.alerts).toMatchObject({ opened: 1, resolved: 1, open: 1, total: 2 });
    // Those still firing at 24:00 first, then by when they fired.
    expect(morningAfter.alerts.items.map((a) => [a.rule, a.site, a.parameter, a.state, a.firedAt, a.resolvedAt, a.origin])).toEqual([
      ['wuliang-nh3n-class3', 'JC-SW-WULIANG', 'nh3_n', 'firing', bj('2026-11-30T16:00'), null, 'simulated'],
      ['wuliang-nh3n-class3', 'JC-SW-WULIANG', 'nh3_n', 'resolved', bj('2026-11-29T24:00'), bj('2026-11-30T08:00'), 'simulated'],
    ]);
    const { text, html } = renderDailyReport(morningAfter, null);
    const lines = text.split('\n');
    expect(lines).toContain('三、告警（按当日 24:00 状态）：新增 1 条，解除 1 条，24:00 仍未解除 1 条');
    expect(lines).toContain('  【模拟数据】wuliang-nh3n-class3 磁窑河武良 氨氮：2026-11-29 24:00 起，2026-11-30 08:00 解除');
    expect(lines).toContain('  【模拟数据】wuliang-nh3n-class3 磁窑河武良 氨氮：2026-11-30 16:00 起，24:00 仍未解除');
    expect(html).toContain('<td>wuliang-nh3n-class3</td>');

    // Later: the open alert resolves on 1 December at 04:00, another fires there at 12:00, and a start-up no-data
    // check opens a pending and a firing alert on 1 December. None of it changes the 30th.
    await deliver('water-simulator', 'JC-SW-WULIANG', { nh3_n: ['0.8', '1.5', '1.6'] }, ['2026-12-01T04:00', '2026-12-01T08:00', '2026-12-01T12:00'], '2026-12-01T05:00:00Z');
    const source = { ruleId: 'air-feed-silent', siteId: null, parameterId: null, sourceId: 'beijing-replay', severity: 'warning' as const, late: false, evidence: { kind: 'no_data', source: 'beijing-replay', level: 'source', origin: 'replayed', silentMinutes: 0 } };
    await insertAlert(database.db, { ...source, dedupKey: 'air-feed-silent|beijing-replay', state: 'pending', at: new Date('2026-12-01T07:00:00Z') });
    await insertAlert(database.db, { ...source, dedupKey: 'air-feed-silent|beijing-replay|x', state: 'firing', at: new Date('2026-12-01T07:10:00Z') });
    expect((await database.db.selectFrom('alert').select('state').where('state', '<>', 'resolved').execute()).length).toBe(3);
    const later = await report('2026-12-03T00:00:00Z');
    expect(later.alerts).toEqual(morningAfter.alerts);
  });

  it('puts units, pollutant labels and the days without data in the text; no repeated limit in the chart caption', () => {
    const { text, html } = renderDailyReport(morningAfter, null);
    const dongsi = text.split('\n').find((l) => l.includes('北京东四：'));
    expect(dongsi).toContain('超标：PM2.5 80 μg/m³（限值 60 μg/m³，超标 0.33 倍）');
    expect(dongsi).toContain('有效小时 PM2.5 24/24、PM10 0/24、SO2 0/24、NO2 0/24、CO 0/24、O3 0/24');
    // The chart: 东四 (the county town, which has the PM2.5 target, has no data), one day of 30 with data.
    expect(morningAfter.chart).toMatchObject({ site: 'Dongsi', unit: 'μg/m³', daysWithData: 1 });
    expect(text).toContain('30 天中 29 天无数据');
    expect(html).toContain('30 天中 29 天无数据');
    expect(html).not.toContain('（60 μg/m³）');
  });

  it('refuses a date that has not begun, and marks today\'s report incomplete', async () => {
    await expect(report('2026-12-01T00:00:00Z', '2026-12-05')).rejects.toThrow('2026-12-05 has not begun');
    const out: string[] = [];
    const context = { config: { ...config, databaseUrl: database.url }, log: quietLog, out: (t: string) => out.push(t) };
    await expect(reportDailyCommand.run({ values: { date: '2999-01-01' }, positionals: [] }, context)).rejects.toThrow('--date "2999-01-01": 2999-01-01 has not begun');
    expect(out).toEqual([]);
    // 07:20 UTC is 15:20 in Beijing on the 30th.
    const today = await report('2026-11-30T07:20:00Z');
    expect(today).toMatchObject({ complete: false, asOf: '2026-11-30T07:20:00.000Z' });
    const rendered = renderDailyReport(today, null);
    expect(rendered.subject).toContain('（不完整：截至 15:20）');
    expect(rendered.text.split('\n')[0]).toBe('环境质量日报 2026-11-30（北京时间 01:00–24:00）（不完整：截至 15:20）');
    expect(morningAfter).toMatchObject({ complete: true, asOf: null });
    expect(renderDailyReport(morningAfter, null).text).not.toContain('不完整');
  });

  it('says which targets in force have no progress instead of calling them expired', async () => {
    // A 2026 area target (the daily summary computes progress per site, not for an area) and a site target for a
    // site with no data.
    const inForce = targetSchema.array().parse([
      { id: 'AREA-PM25-2026', document: '某区规划', nature: 'binding', scope: { area: '山西省吕梁市交城县' }, indicator: 'pm2_5_annual_mean', target: { year: 2026, comparator: '<=', value: 40 }, validFrom: '2026-01-01', validTo: '2030-12-31' },
      { id: 'TOWN-GOOD-2026', document: '某县规划', nature: 'binding', scope: { site: 'JC-AIR-TOWN' }, indicator: 'good_day_ratio', target: { year: 2026, comparator: '>=', value: 80 }, validFrom: '2026-01-01', validTo: '2030-12-31' },
    ]);
    const built = await buildDailyReport(database.db, { ...config, targets: [...config.targets, ...inForce] }, parameterIds, DAY, new Date('2026-12-01T00:00:00Z'));
    // The site target is listed (without data); the area target is named in a note, not dropped.
    expect(built.targets.filter((t) => t.inForce).map((t) => [t.id, t.progress?.current ?? null])).toEqual([['TOWN-GOOD-2026', null]]);
    // The good-day target in force replaces its 14th-plan reference; PM2.5 at the town (no site target in force) keeps one.
    expect(built.targets.find((t) => t.id === 'JC-GOODDAY-2025')?.status).toBe('final');
    expect(built.targets.find((t) => t.id === 'JC-PM25-2025')?.status).toBe('reference');
    expect(built.targetsNote).toBe('在期规划目标中 1 个不在此表：AREA-PM25-2026（区域目标，日报按站点计算）');
    const text = renderDailyReport(built, null).text;
    expect(text).toContain('TOWN-GOOD-2026（某县规划）：无数据');
    expect(text).toContain('在期规划目标中 1 个不在此表：AREA-PM25-2026（区域目标，日报按站点计算）');
  });

  it('gives each row of the day\'s CSV its origin, so a saved file keeps its label', async () => {
    const lines = (await dayReadingsCsv(database.db, DAY)).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('site,name,parameter,time_beijing,value,unit,flag,origin');
    expect(lines.find((l) => l.startsWith('JC-SW-WULIANG,') && l.includes(',nh3_n,2026-11-30 16:00,'))).toBe('JC-SW-WULIANG,磁窑河武良,nh3_n,2026-11-30 16:00,1.4,mg/L,N,模拟数据');
    expect(lines.find((l) => l.startsWith('Dongsi,'))).toBe('Dongsi,北京东四,pm2_5,2026-11-30 01:00,80,μg/m³,N,回放数据');
    expect(lines.find((l) => l.startsWith('JC-SW-ANGUQIAO,') && l.includes(',tp,'))).toBe('JC-SW-ANGUQIAO,安固桥,tp,2026-11-30 12:00,0.146,mg/L,N,');
  });
});

describe('daily summary: a day with many alerts', () => {
  it('lists at most 20 alerts, those still firing first, and says how many more there are', async () => {
    // 2026-11-27 (Beijing): 21 alerts fire at 10:00 + i minutes; the first 3 resolve at 12:00, the rest are still
    // firing at 24:00. By hand: 21 opened, 3 resolved, 18 open; 20 listed (the 18 open first), 1 more.
    const ids: number[] = [];
    for (let i = 0; i < 21; i++) {
      const at = new Date(Date.parse('2026-11-27T10:00:00+08:00') + i * 60_000);
      const resolvedAt = i < 3 ? new Date('2026-11-27T12:00:00+08:00') : undefined;
      ids.push(await insertAlert(database.db, { dedupKey: `many|${i}`, ruleId: 'many', siteId: null, parameterId: null, sourceId: 'beijing-replay', state: resolvedAt ? 'resolved' : 'firing', severity: 'warning', at, late: false, evidence: { kind: 'no_data', source: 'beijing-replay', origin: 'replayed' }, ...(resolvedAt ? { resolvedAt } : {}) }));
    }
    const day = await report('2026-12-01T00:00:00Z', '2026-11-27');
    expect(day.alerts).toMatchObject({ opened: 21, resolved: 3, open: 18, total: 21 });
    expect(day.alerts.items.map((a) => a.id)).toEqual([...ids.slice(3), ...ids.slice(0, 2)]);
    const { text, html } = renderDailyReport(day, null);
    expect(text).toContain('  另有 1 条未列出（envmon alerts list --all）');
    expect(html).toContain('另有 1 条未列出');
    expect(text.split('\n').filter((l) => l.startsWith('  【回放数据】many beijing-replay：'))).toHaveLength(20);
  });
});
