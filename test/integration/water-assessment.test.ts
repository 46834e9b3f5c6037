/**
 * `assessWater` over readings stored through the normal store path: 武良 (target Ⅲ, NH3-N by the plan's seasonal
 * limits with assumed winter months), 文峪河北峪口 (target Ⅱ) and the 大营 drinking-water source (target Ⅲ), January to
 * March 2025 with no February data at 武良. Expected figures are computed here from GB 3838 Table 1 by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { assessWater } from '../../queries/water-assessment-query.ts';
import { waterAssessmentText } from '../../reports/water-assessment-text.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;

beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  parameterIds = await syncConfig(database.db, config);
});
afterAll(async () => {
  await database.drop();
});

/** Six 4-hourly samples of a Beijing natural day, the i-th taking values(i). */
async function deliverDay(site: string, date: string, values: (i: number) => Record<string, string>): Promise<void> {
  const start = Date.parse(`${date}T00:00:00+08:00`);
  const readings = [0, 1, 2, 3, 4, 5].flatMap((i) =>
    Object.entries(values(i)).map(([parameter, value]) => ({ site, parameter, period: 'hour' as const, observedAt: new Date(start + 4 * (i + 1) * HOUR_MS).toISOString(), value, unit: 'mg/L', flag: 'N' })),
  );
  const now = new Date(start + 25 * HOUR_MS);
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => now }, { sourceId: 'water-simulator', readings, rejections: [] });
}

/** Mean of decimals given in thousandths, as text with three decimals (values here divide evenly). */
const meanThousandths = (list: number[]) => (list.reduce((a, b) => a + b, 0) / list.length / 1000).toString();
const assumption = (c: AppConfig) => c.targets.find((t) => t.id === 'JC-WULIANG-2025')?.seasonalLimits?.[0]?.assumption;

describe('water assessment', () => {
  it('lists every month, classes by GB 3838, the shares and the labelled assumption', async () => {
    // 武良 January: NH3-N alternating 6.4 / 6.6 (mean 6.5: 劣Ⅴ by Table 1 > 2.0, within the winter limit 8), DO 6.1 (Ⅱ), CODMn 5.2 (Ⅲ).
    await deliverDay('JC-SW-WULIANG', '2025-01-15', (i) => ({ nh3_n: i % 2 === 0 ? '6.4' : '6.6', do: '6.1', codmn: '5.2' }));
    // 武良 March: NH3-N 9 over the winter limit 8.
    await deliverDay('JC-SW-WULIANG', '2025-03-10', () => ({ nh3_n: '9', do: '6.1', codmn: '5.2' }));
    // 北峪口 January: DO 8 (Ⅰ), CODMn 2.5 (Ⅱ ≤ 4), NH3-N 0.3 (Ⅱ ≤ 0.5), TP 0.05 (Ⅱ ≤ 0.1): Ⅱ, target Ⅱ met.
    await deliverDay('JC-SW-BEIYUKOU', '2025-01-20', () => ({ do: '8', codmn: '2.5', nh3_n: '0.3', tp: '0.05' }));
    // 大营 January: DO 6.1 (Ⅱ), NH3-N 0.4 (Ⅱ): meets its Ⅲ target.
    await deliverDay('JC-DW-DAYING', '2025-01-20', () => ({ do: '6.1', nh3_n: '0.4' }));

    const result = await assessWater(database.db, config, { sites: ['JC-SW-WULIANG', 'JC-SW-BEIYUKOU', 'JC-DW-DAYING'], from: '2025-01-01', to: '2025-03-31' }, new Date('2025-04-01T04:00:00Z'));
    const wuliang = result.months.filter((m) => m.site === 'JC-SW-WULIANG');
    expect(wuliang.map((m) => m.period)).toEqual(['2025-01', '2025-02', '2025-03']);
    const label = assumption(config);
    expect(label).toContain('假定');
    expect(wuliang[0]).toMatchObject({ samples: 6, class: '劣V', means: { nh3_n: meanThousandths([6400, 6600, 6400, 6600, 6400, 6600]) }, meetsTarget: true, assumptions: [label], originLabel: '模拟数据' });
    expect(wuliang[1]).toMatchObject({ samples: 0, class: null, meetsTarget: null });
    expect(wuliang[2]).toMatchObject({ samples: 6, class: '劣V', meetsTarget: false, exceeding: ['nh3_n'], assumptions: [label] });
    expect(result.months.find((m) => m.site === 'JC-SW-BEIYUKOU' && m.period === '2025-01')).toMatchObject({ class: 'II', meetsTarget: true });

    // Period: 武良 劣Ⅴ by Table 1 (NH3-N mean (6 × 6.5 + 6 × 9) / 12 = 7.75 > 2.0); January and March are both winter
    // months, so the period's NH3-N is held to the winter limit: 7.75 ≤ 8, target met although March alone missed it.
    // 北峪口 Ⅱ → 1 of 2 surface sections at Ⅲ or better = 50 %.
    expect(result.period.find((p) => p.site === 'JC-SW-WULIANG')).toMatchObject({ period: '2025-01..2025-03', samples: 12, class: '劣V', means: { nh3_n: '7.75' }, meetsTarget: true, assumptions: [label] });
    expect(result.classIIIOrBetter).toEqual({ count: 1, assessed: 2, ratio: String((1 * 100) / 2) });
    expect(result.drinkingWaterCompliance).toEqual({ count: 1, assessed: 1, ratio: '100' });

    const text = waterAssessmentText(result);
    expect(text).toContain('断面\t月份\t样本数\t类别\t目标\t是否达标\t超标项目');
    expect(text).toContain('【模拟数据】磁窑河武良\t2025-02\t0\t无数据\tⅢ类\t无数据\t—');
    expect(text).toContain('【模拟数据】磁窑河武良\t2025-03\t6\t劣Ⅴ类\tⅢ类\t未达标\t氨氮');
    expect(text).toContain('地表水断面Ⅰ～Ⅲ类比例：50%（1/2）');
    expect(text).toContain(`假定：\n  ${label}`);
  });

  it('names a site that is not a water section', async () => {
    await expect(assessWater(database.db, config, { sites: ['JC-AIR-TOWN'], from: '2025-01-01', to: '2025-01-31' }, new Date('2025-04-01T04:00:00Z'))).rejects.toThrow(/sites: got "JC-AIR-TOWN"/);
  });
});
