/**
 * The water_class rule, the daily summary and `targets` judge a section against the same governing target with
 * the same seasonal limits: 武良 (target Class III, NH3-N ≤ 8 mg/L in winter and ≤ 5 in summer by the county plan)
 * on a January day and a July day with the same values, chosen so that NH3-N alone decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { targetsQuery } from '../../evaluate/target-standings.ts';
import { buildDailyReport } from '../../reports/daily-report.ts';
import { renderDailyReport } from '../../reports/daily-report-render.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  config = { ...base, rules: ruleSchema.array().parse([{ id: 'section-class', kind: 'water_class', scope: { sites: ['JC-SW-WULIANG'] } }]) };
  parameterIds = await syncConfig(database.db, config);
});
afterAll(async () => {
  await database.drop();
});

/**
 * Six 4-hourly samples of one Beijing natural day at 武良: DO 6.1 (Class II, ≥ 6), CODMn 5.2 (Class III, ≤ 6) and
 * NH3-N 6.5 mg/L (劣Ⅴ by GB 3838 Table 1, > 2.0; within the winter special limit 8, over the summer one 5).
 */
async function deliverDay(date: string): Promise<void> {
  const start = Date.parse(`${date}T00:00:00+08:00`);
  const readings = [4, 8, 12, 16, 20, 24].flatMap((h) =>
    Object.entries({ do: '6.1', codmn: '5.2', nh3_n: '6.5' }).map(([parameter, value]) => ({ site: 'JC-SW-WULIANG', parameter, period: 'hour' as const, observedAt: new Date(start + h * HOUR_MS).toISOString(), value, unit: 'mg/L', flag: 'N' })),
  );
  const now = new Date(start + 25 * HOUR_MS);
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => now }, { sourceId: 'water-simulator', readings, rejections: [] });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => now }, touchedSeries(readings));
}

const wuliangAlerts = () => database.db.selectFrom('alert').select(['state', 'first_seen_at', 'evidence']).where('rule_id', '=', 'section-class').orderBy('id').execute();
const summaryOf = async (date: string) => (await buildDailyReport(database.db, config, parameterIds, date, new Date(`${date}T23:00:00Z`))).water.find((w) => w.site === 'JC-SW-WULIANG');
const targetOf = async (asOf: string) => (await targetsQuery(database.db, config.targets, parameterIds, { asOf, ids: ['JC-WULIANG-2025'] }, new Date(`${asOf}T23:00:00Z`)))[0]?.progress;

describe('武良 against its plan target', () => {
  it('in January: the rule stays quiet, and the summary and targets say Class III, target met', async () => {
    await deliverDay('2025-01-15');
    expect(await wuliangAlerts()).toEqual([]);
    const summary = await summaryOf('2025-01-15');
    expect(summary).toMatchObject({ class: 'III', targetClass: 'III', meets: true, seasonal: [{ parameter: 'nh3_n', limit: 8, value: '6.5', breached: false }] });
    // The summary shows both: GB 3838 with NH3-N (6.5 > 2.0: 劣Ⅴ) and the target assessment with the winter limit 8.
    expect(renderDailyReport((await buildDailyReport(database.db, config, parameterIds, '2025-01-15', new Date('2025-01-16T00:00:00Z'))), null).text).toContain('磁窑河武良：GB 3838 单因子 劣Ⅴ类（氨氮 6.5 mg/L 为劣Ⅴ类）；目标 Ⅲ类，达标：氨氮按规划季节特别限值 ≤ 8 mg/L 考核（6.5 mg/L，达标），其余项目 Ⅲ类（高锰酸盐指数 5.2 mg/L）（假定：武良氨氮冬季限值按11–3月（采暖期）执行，县规划未界定冬季月份）');
    expect(await targetOf('2025-01-15')).toMatchObject({ current: 'III', meets: true });
  });

  it('in July: the rule fires on NH3-N over 5 mg/L, and the summary and targets say the target is missed', async () => {
    await deliverDay('2025-07-15');
    const alerts = await wuliangAlerts();
    expect(alerts.map((a) => a.state)).toEqual(['firing']);
    expect(alerts[0]?.evidence).toMatchObject({ class: 'III', targetClass: 'III', seasonalLimits: [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true, assumption: '假定：武良氨氮冬季限值按11–3月（采暖期）执行，县规划未界定冬季月份' }] });
    expect(await summaryOf('2025-07-15')).toMatchObject({ class: 'III', targetClass: 'III', meets: false, seasonal: [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true }] });
    // Year to date (January and July): January's NH3-N within its 8, July's over its 5.
    expect(await targetOf('2025-07-15')).toMatchObject({ current: 'III', meets: false });
  });
});
