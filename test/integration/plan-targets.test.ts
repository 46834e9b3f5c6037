/**
 * Plan targets across plan periods, on the default configuration (14th Five-Year targets, 2021–2025, no 15th-plan
 * values entered): the 2025 final result of 交城 PM2.5 from stored 2025 data, the target carried into 2026 as a
 * labelled reference with this year's progress, in `envmon targets`, the daily summary and the target-at-risk alert;
 * and, once a 15th-plan target is entered, that target governing and the reference gone. Expected values by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetsCommand } from '../../cli/commands/targets.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { targetSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { headline } from '../../notify/templates.ts';
import { targetsQuery } from '../../evaluate/target-standings.ts';
import { buildDailyReport } from '../../reports/daily-report.ts';
import { renderDailyReport } from '../../reports/daily-report-render.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let config: AppConfig;
let parameterIds: ParameterIds;

/** PM2.5 at the county town, a constant value over each Beijing natural day's 24 hours (01:00 … 24:00). */
const days2025: [string, number][] = [['2025-03-01', 38], ['2025-03-02', 41], ['2025-03-03', 44], ['2025-03-04', 43]];
const days2026: [string, number][] = [['2026-02-01', 50], ['2026-02-02', 60]];

async function deliver(days: [string, number][], now: string): Promise<void> {
  const readings = days.flatMap(([day, value]) =>
    Array.from({ length: 24 }, (_, i) => ({ site: 'JC-AIR-TOWN', parameter: 'pm2_5', period: 'hour' as const, observedAt: new Date(Date.parse(`${day}T01:00:00+08:00`) + i * HOUR_MS).toISOString(), value: String(value), unit: 'μg/m³', flag: 'N' })),
  );
  const at = new Date(now);
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => at }, { sourceId: null, readings, rejections: [], recordHealth: false });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => at }, touchedSeries(readings));
}

/** Half to even on a value with at most one decimal, as GB/T 8170 rounds a mean to an integer. */
const halfEvenInteger = (x: number) => (x % 1 === 0.5 ? (Math.floor(x) % 2 === 0 ? Math.floor(x) : Math.ceil(x)) : Math.round(x));
const mean = (days: [string, number][]) => days.reduce((s, [, v]) => s + v, 0) / days.length;

function run(values: Record<string, string | boolean>): Promise<string> {
  const out: string[] = [];
  return targetsCommand.run({ values, positionals: [] }, { config, log: quietLog, out: (text) => out.push(text) }).then(() => out.join('\n'));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  config = { ...base, rules: base.rules.filter((r) => r.id === 'plan-at-risk') };
  parameterIds = await syncConfig(database.db, config);
  await deliver(days2025, '2025-03-05T00:00:00Z');
  await deliver(days2026, '2026-02-03T00:00:00Z');
});
afterAll(async () => {
  await database.drop();
});

describe('plan targets across plan periods', () => {
  // By hand: (38 + 41 + 44 + 43) / 4 = 41.5 → 42 (half to even); ≤ 44 met with 44 − 42 = 2 to spare; 4 of 365 days.
  const final2025 = halfEvenInteger(mean(days2025));
  // 2026 to 2 February: (50 + 60) / 2 = 55 over the reference 44.
  const ytd2026 = halfEvenInteger(mean(days2026));

  it('reports the 2025 final result of each 14th-plan target and carries the governing one as the reference', async () => {
    expect(final2025).toBe(42);
    const rows = await targetsQuery(database.db, config.targets, parameterIds, { asOf: '2026-02-02' }, new Date('2026-02-03T00:00:00Z'));
    const pm25 = rows.find((r) => r.id === 'JC-PM25-2025');
    expect(pm25).toMatchObject({
      plan: '十四五',
      status: 'reference',
      inForce: false,
      reference: true,
      statusNote: '参考值（沿用十四五目标，十五五目标未录入）',
      progress: { current: String(ytd2026), basis: 2, required: '≤ 44', meets: false },
      final: { year: 2025, value: String(final2025), limit: '44', met: true, margin: String(44 - final2025), basis: days2025.length, text: `2025 年 PM2.5 年均 ${final2025} μg/m³（有效数据 4/365 天），目标 ≤ 44，达标，余量 ${44 - final2025}` },
    });
    // The development outline's figure (≤ 55, not governing) only reports its final: 55 − 42 = 13.
    expect(rows.find((r) => r.id === 'JC-PM25-OUTLINE-2025')).toMatchObject({ status: 'final', reference: false, progress: null, final: { met: true, margin: String(55 - final2025) } });
    // Nothing is in force: every row is a reference or a final.
    expect(rows.filter((r) => r.inForce)).toEqual([]);
  });

  it('names the reference and why in `envmon targets`', async () => {
    const lines = (await run({ 'as-of': '2026-02-02', json: false, all: false })).split('\n');
    expect(lines[0]).toMatch(/^2026 年无在期规划目标：十四五目标已于2025年末到期，十五五目标未录入；\d+ 项沿用十四五目标作参考值（非在期考核目标），另列 2025 年终结果$/);
    const at = lines.findIndex((l) => l.startsWith('JC-PM25-2025 '));
    expect(lines[at]).toBe('JC-PM25-2025  交城县“十四五”生态环境保护规划  【参考值（沿用十四五目标，十五五目标未录入）】 pm2_5_annual_mean: 55 (参考值 ≤ 44) 未达标  剩余 332 天 PM2.5 日均值平均需 ≤ 44.4 μg/m³（全年均值修约为整数后 ≤ 44）');
    // Remaining: 365 − 33 days to 2 February = 332, all assumed valid, with the 2 valid days so far 334 in the mean
    // (days without data do not count). It may sum to 44.5 × 334 = 14863 (44.5 rounds to 44, half to even), so the
    // remaining days 14863 − 110 = 14753, 44.43… a day, cut to 44.4.
    expect(lines[at + 1]).toBe('    十四五目标（2021-01-01 至 2025-12-31）已于2025年末到期；十五五目标录入前按其目标值作参考，不是在期考核目标；2025 年终结果：2025 年 PM2.5 年均 42 μg/m³（有效数据 4/365 天），目标 ≤ 44，达标，余量 2');
    expect(lines.find((l) => l.startsWith('JC-PM25-OUTLINE-2025'))).toContain('【终期结果】2025 年终结果：2025 年 PM2.5 年均 42 μg/m³（有效数据 4/365 天），目标 ≤ 55，达标，余量 13（已到期（非主导目标），仅列 2025 年终结果）');
  });

  it('says it in the daily summary', async () => {
    const report = await buildDailyReport(database.db, config, parameterIds, '2026-02-02', new Date('2026-02-03T00:00:00Z'));
    expect(report.targetsNote).toMatch(/^2026 年无在期规划目标：十四五目标已于2025年末到期，十五五目标未录入；\d+ 项沿用十四五目标作参考值/);
    expect(report.targetsNote).toMatch(/水质断面仍沿用其目标类别评价，见二$/);
    const { text, html } = renderDailyReport(report, null);
    expect(text.split('\n')).toContain(
      '  JC-PM25-2025（交城县“十四五”生态环境保护规划）【参考值（沿用十四五目标，十五五目标未录入）】：55，参考值 ≤ 44，未达标；剩余 332 天 PM2.5 日均值平均需 ≤ 44.4 μg/m³（全年均值修约为整数后 ≤ 44）；2025 年终结果：2025 年 PM2.5 年均 42 μg/m³（有效数据 4/365 天），目标 ≤ 44，达标，余量 2',
    );
    expect(html).toContain('JC-PM25-2025【参考值（沿用十四五目标，十五五目标未录入）】');
    // A target with nothing left to need (a water class met) lists its final result alone: no empty part, no "；；".
    expect(text).not.toMatch(/；；|；$/m);
    expect(html).not.toMatch(/<td>；|；；/);
    expect(text).not.toContain('当年无在期规划目标\n');
    // The chart's target line is the reference, labelled.
    expect(report.chart).toMatchObject({ site: 'JC-AIR-TOWN', target: 44, targetLabel: '交城县“十四五”生态环境保护规划 PM2.5 年均 ≤ 44 μg/m³（参考值（沿用十四五目标，十五五目标未录入））' });
  });

  it('keeps the target-at-risk rule judging against the reference, and its alert says so', async () => {
    const alert = await database.db.selectFrom('alert').selectAll().where('rule_id', '=', 'plan-at-risk').where('dedup_key', 'like', '%JC-PM25-2025').executeTakeFirstOrThrow();
    expect(alert.state).toBe('firing');
    expect(alert.evidence).toMatchObject({ target: 'JC-PM25-2025', asOf: '2026-02-02', current: '55', required: '≤ 44', reference: true, statusNote: '参考值（沿用十四五目标，十五五目标未录入）' });
    const item = { kind: 'alert' as const, alertId: alert.id, severity: 'warning' as const, evidence: alert.evidence as Record<string, unknown>, site: { code: 'JC-AIR-TOWN', nameZh: '交城县城区', nameEn: 'Jiaocheng town', kind: 'air' }, trend: [] };
    expect(headline(item, 'zh-CN')).toBe('【目标预警·参考值】交城县城区 JC-PM25-2025 年累计 55，参考值 ≤ 44（沿用十四五目标，十五五目标未录入）');
  });

  it('lets a 15th-plan target govern once entered: no reference for its indicator and site', async () => {
    const next = targetSchema.parse({ id: 'JC-PM25-2030', document: '交城县“十五五”生态环境保护规划', nature: 'binding', scope: { site: 'JC-AIR-TOWN' }, indicator: 'pm2_5_annual_mean', target: { year: 2030, comparator: '<=', value: 40 }, validFrom: '2026-01-01', validTo: '2030-12-31' });
    const rows = await targetsQuery(database.db, [...config.targets, next], parameterIds, { asOf: '2026-02-02' }, new Date('2026-02-03T00:00:00Z'));
    expect(rows.find((r) => r.id === 'JC-PM25-2030')).toMatchObject({ status: 'in_force', plan: '十五五', reference: false, progress: { current: '55', required: '≤ 40', meets: false } });
    expect(rows.find((r) => r.id === 'JC-PM25-2025')).toMatchObject({ status: 'final', reference: false, progress: null, final: { value: '42', met: true } });
    expect(rows.filter((r) => r.reference && r.indicator === 'pm2_5_annual_mean' && 'site' in r.scope && r.scope.site === 'JC-AIR-TOWN')).toEqual([]);
  });
});
