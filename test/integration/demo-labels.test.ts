/**
 * Demonstration data is labelled wherever it is shown — 模拟数据 for the water simulator, 回放数据 for the replayed
 * Beijing stations — from the sources that fed each site or series (`source_series` and the source's kind), never
 * from a site's free-text note: alert JSON and text (CLI, and the rows the HTTP API serves), targets, status and
 * the daily report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aqiCommand, statsCommand } from '../../cli/commands/air-queries.ts';
import { alertsListCommand, alertsShowCommand } from '../../cli/commands/alerts.ts';
import { reportDailyCommand } from '../../cli/commands/report.ts';
import { statusCommand } from '../../cli/commands/status.ts';
import { targetsCommand } from '../../cli/commands/targets.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { alertsQuery } from '../../queries/alerts-query.ts';
import { targetsQuery } from '../../evaluate/target-standings.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let config: AppConfig;
let parameterIds: ParameterIds;
const now = new Date('2025-11-21T00:00:00Z');

const rules = ruleSchema.array().parse([
  { id: 'wuliang-nh3n', kind: 'threshold', scope: { sites: ['JC-SW-WULIANG'] }, parameter: 'nh3_n', limit: 1.0, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮', forEvaluations: 1 },
  { id: 'pm25-1h', kind: 'threshold', scope: { sites: ['Dongsi', 'JC-AIR-TOWN'] }, parameter: 'pm2_5', limit: 100, limitSource: 'test limit' },
]);

async function deliver(sourceId: string | null, site: string, parameter: string, values: string[], startIso: string, stepHours: number): Promise<void> {
  const readings = values.map((value, i) => ({ site, parameter, period: 'hour' as const, observedAt: new Date(Date.parse(startIso) + i * stepHours * HOUR_MS).toISOString(), value, unit: parameter === 'pm2_5' ? 'μg/m³' : 'mg/L', flag: 'N' }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => now }, { sourceId, readings, rejections: [], recordHealth: false });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => now }, touchedSeries(readings));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  config = { ...base, rules };
  parameterIds = await syncConfig(database.db, config);
  // 2025-11-20 (Beijing): 武良 NH3-N from the simulator, Dongsi PM2.5 replayed, the county town's PM2.5 measured.
  await deliver('water-simulator', 'JC-SW-WULIANG', 'nh3_n', ['0.8', '1.6', '0.9'], '2025-11-19T20:00:00Z', 4);
  await deliver('beijing-replay', 'Dongsi', 'pm2_5', ['80', '150', '90'], '2025-11-20T01:00:00Z', 1);
  await deliver(null, 'JC-AIR-TOWN', 'pm2_5', ['70', '160', '60'], '2025-11-20T01:00:00Z', 1);
});
afterAll(async () => {
  await database.drop();
});

function run(command: typeof alertsListCommand, values: Record<string, string | boolean>, positionals: string[] = []): Promise<string> {
  const out: string[] = [];
  return command.run({ values, positionals }, { config, log: quietLog, out: (text) => out.push(text) }).then(() => out.join('\n'));
}

describe('demonstration data labels', () => {
  it('alerts, as the API and `alerts list --json` give them, carry origin and label; the text says 模拟数据 / 回放数据', async () => {
    const rows = await alertsQuery(database.db, { all: true, limit: 100 });
    const bySite = new Map(rows.map((r) => [r.site, r]));
    expect(bySite.get('JC-SW-WULIANG')).toMatchObject({ origin: 'simulated', originLabel: '模拟数据' });
    expect(bySite.get('Dongsi')).toMatchObject({ origin: 'replayed', originLabel: '回放数据' });
    expect(bySite.get('JC-AIR-TOWN')).toMatchObject({ origin: null, originLabel: null });
    // The outbox row the mail is rendered from carries it too (its subject then starts 【模拟数据】).
    const outbox = await database.db.selectFrom('notification_outbox').select('payload').where('alert_id', '=', bySite.get('JC-SW-WULIANG')?.id ?? 0).where('kind', '=', 'alert').execute();
    expect(outbox.map((o) => (o.payload as { origin: string }).origin)).toEqual(['simulated']);

    const listed = JSON.parse(await run(alertsListCommand, { all: true, json: true, limit: '100' })) as { site: string; origin: string | null }[];
    expect(listed.map((a) => [a.site, a.origin]).sort()).toEqual([['Dongsi', 'replayed'], ['JC-AIR-TOWN', null], ['JC-SW-WULIANG', 'simulated']]);
    const text = (await run(alertsListCommand, { all: true, json: false, limit: '100' })).split('\n');
    expect(text.find((l) => l.includes('磁窑河武良'))).toContain('【模拟数据】磁窑河武良');
    // What the alert is judged against, with units: its last value 0.9 is within the limit 1.0 (it resolved there).
    expect(text.find((l) => l.includes('磁窑河武良'))).toContain('磁窑河武良 nh3_n 0.9 mg/L (within the limit 1 mg/L)');
    expect(text.find((l) => l.includes('北京东四'))).toContain('【回放数据】北京东四');
    expect(text.find((l) => l.includes('交城县城区'))).not.toMatch(/模拟数据|回放数据/);
  });

  it('labels one alert shown with its history, and an alert recorded before alerts carried their origin', async () => {
    const wuliang = await database.db.selectFrom('alert').innerJoin('site', 'site.id', 'alert.site_id').select('alert.id').where('site.code', '=', 'JC-SW-WULIANG').executeTakeFirstOrThrow();
    const shown = JSON.parse(await run(alertsShowCommand, { json: true }, [String(wuliang.id)])) as { origin: string; originLabel: string };
    expect(shown).toMatchObject({ origin: 'simulated', originLabel: '模拟数据' });
    expect((await run(alertsShowCommand, { json: false }, [String(wuliang.id)])).split('\n')[0]).toMatch(/^【模拟数据】alert \d+ wuliang-nh3n resolved \(warning\) {2}data: 模拟数据, not measured$/);

    // Evidence without an origin (written before it was recorded): derived from the sources that fed the series then.
    await database.db.updateTable('alert').set({ evidence: JSON.stringify({ kind: 'threshold', value: '150' }) }).where('rule_id', '=', 'pm25-1h').execute();
    const rows = await alertsQuery(database.db, { all: true, limit: 100 });
    expect(rows.filter((r) => r.rule_id === 'pm25-1h').map((r) => [r.site, r.origin]).sort()).toEqual([['Dongsi', 'replayed'], ['JC-AIR-TOWN', null]]);
  });

  it('labels targets whose site demonstration data feed (`targets`, GET /api/targets)', async () => {
    const rows = await targetsQuery(database.db, config.targets, parameterIds, { asOf: '2025-11-20' }, now);
    expect(rows.find((t) => t.id === 'JC-WULIANG-2025')).toMatchObject({ origin: 'simulated', originLabel: '模拟数据' });
    expect(rows.find((t) => t.id === 'JC-PM25-2025')).toMatchObject({ origin: null });
    const text = (await run(targetsCommand, { 'as-of': '2025-11-20', json: false, all: false })).split('\n');
    expect(text.find((l) => l.includes('JC-WULIANG-2025'))).toMatch(/^【模拟数据】JC-WULIANG-2025/);
    expect(text.find((l) => l.startsWith('JC-PM25-2025'))).toBeDefined();
  });

  it('labels the demonstration sources in `status`', async () => {
    const status = JSON.parse(await run(statusCommand, { json: true })) as { sources: { id: string; origin: string | null; originLabel: string | null }[] };
    expect(status.sources.map((s) => [s.id, s.origin, s.originLabel])).toEqual([
      ['beijing-replay', 'replayed', '回放数据'],
      ['water-simulator', 'simulated', '模拟数据'],
    ]);
    const text = await run(statusCommand, { json: false });
    expect(text).toMatch(/water-simulator\s+【模拟数据】/);
    expect(text).toMatch(/beijing-replay\s+【回放数据】/);
  });

  it('labels the daily report: subject, warning, every row fed by demonstration data, and its JSON', async () => {
    const text = await run(reportDailyCommand, { date: '2025-11-20', json: false });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^【环境质量日报】2025-11-20（含模拟数据、回放数据）：/);
    expect(text).toContain('不是实测数据，不得据以处置');
    expect(lines.find((l) => l.includes('北京东四：AQI'))).toMatch(/^ {2}【回放数据】北京东四：AQI/);
    expect(lines.find((l) => l.includes('磁窑河武良：'))).toMatch(/^ {2}【模拟数据】磁窑河武良：/);
    expect(lines.find((l) => l.includes('交城县城区：AQI'))).toMatch(/^ {2}交城县城区：AQI/);
    const report = JSON.parse(await run(reportDailyCommand, { date: '2025-11-20', json: true })) as { origins: string[]; air: { site: string; origin: string | null }[]; water: { site: string; originLabel: string | null }[] };
    expect(report.origins).toEqual(['simulated', 'replayed']);
    expect(report.air.map((a) => [a.site, a.origin]).filter(([s]) => s === 'Dongsi' || s === 'JC-AIR-TOWN').sort()).toEqual([['Dongsi', 'replayed'], ['JC-AIR-TOWN', null]]);
    expect(report.water.find((w) => w.site === 'JC-SW-WULIANG')?.originLabel).toBe('模拟数据');
  });

  it('labels every row of aqi and stats, as the CLI prints them and the API serves them', async () => {
    const range = { from: '2025-11-20T09:00', to: '2025-11-20T11:00', json: true };
    const stats = JSON.parse(await run(statsCommand, { ...range, site: 'Dongsi,JC-AIR-TOWN', parameter: 'pm2_5', window: '1h' })) as { site: string; time: string; value: string | null; origin: string | null; originLabel: string | null }[];
    // Hours ending 09:00 … 11:00 Beijing time: the three values delivered above (80, 150, 90 replayed; 70, 160, 60 measured).
    expect(stats.map((r) => [r.site, r.value, r.origin, r.originLabel])).toEqual([
      ['Dongsi', '80', 'replayed', '回放数据'],
      ['Dongsi', '150', 'replayed', '回放数据'],
      ['Dongsi', '90', 'replayed', '回放数据'],
      ['JC-AIR-TOWN', '70', null, null],
      ['JC-AIR-TOWN', '160', null, null],
      ['JC-AIR-TOWN', '60', null, null],
    ]);
    const water = JSON.parse(await run(statsCommand, { from: '2025-11-20', to: '2025-11-20', json: true, site: 'JC-SW-WULIANG', parameter: 'nh3_n', window: 'day' })) as { origin: string | null }[];
    expect(water.map((r) => r.origin)).toEqual(['simulated']);
    const aqi = JSON.parse(await run(aqiCommand, { ...range, site: 'Dongsi,JC-AIR-TOWN', daily: false })) as { site: string; origin: string | null }[];
    expect(aqi.map((r) => [r.site, r.origin])).toEqual([['Dongsi', 'replayed'], ['Dongsi', 'replayed'], ['Dongsi', 'replayed'], ['JC-AIR-TOWN', null], ['JC-AIR-TOWN', null], ['JC-AIR-TOWN', null]]);
    const text = (await run(statsCommand, { ...range, json: false, site: 'Dongsi,JC-AIR-TOWN', parameter: 'pm2_5', window: '1h' })).split('\n');
    expect(text.filter((l) => l.startsWith('【回放数据】Dongsi  '))).toHaveLength(3);
    expect(text.filter((l) => l.startsWith('JC-AIR-TOWN  '))).toHaveLength(3);
  });
});
