import { describe, expect, it } from 'vitest';
import { airTargetProgress, waterTargetProgress, type DailyAirValues } from '../../standards/target-progress.ts';

const days = (aqis: (number | null)[], pm25: (string | null)[] = []): DailyAirValues[] =>
  aqis.map((aqi, i) => ({ day: `2025-01-${String(i + 1).padStart(2, '0')}`, aqi, pm2_5: pm25[i] ?? null }));

describe('plan target progress', () => {
  it('PM2.5 annual mean: year to date, and what the rest of the year must average', () => {
    const p = airTargetProgress({ indicator: 'pm2_5_annual_mean', comparator: '<=', value: 44 }, days([1, 1, 1, 1], ['60', '50', '40', '50']), 10);
    // Mean 50 over 4 days; the remaining 6 days must average ≤ (44 × 10 − 200) / 6 = 40.
    expect(p).toEqual({ current: '50', basis: 4, required: '≤ 44', meets: false, projection: '剩余 6 天 PM2.5 日均值平均需 ≤ 40 μg/m³' });
  });

  it('good-day ratio: days with AQI ≤ 100 over days with an AQI, and how many remaining days must be good', () => {
    const p = airTargetProgress({ indicator: 'good_day_ratio', comparator: '>=', value: 75 }, days([50, 100, 101, 250, null]), 12);
    // 2 good of 4 = 50 %; 75 % of 4 + 7 remaining days = 8.25 → 9 good days, 7 more needed.
    expect(p).toMatchObject({ current: '50', basis: 4, meets: false, projection: '剩余 7 天中至少需 7 天优良' });
  });

  it('keep stable or improve: heavy-pollution days against the baseline count', () => {
    // Heavy pollution is AQI > 200: 250 is one, 200 (中度污染) is not.
    const p = airTargetProgress({ indicator: 'heavy_pollution_days', comparator: 'not_worse_than_baseline', baseline: 1 }, days([250, 200, 90]), 365);
    expect(p).toMatchObject({ current: '1', required: '≤ 1 天', meets: true, projection: '剩余时间内最多还可有 0 个重污染天' });
  });

  it('water class against the target class', () => {
    expect(waterTargetProgress({ indicator: 'water_class', comparator: 'class_at_least', value: 'III' }, 'IV', 30)).toMatchObject({ current: 'IV', meets: false, projection: '需改善至 III 类' });
    expect(waterTargetProgress({ indicator: 'water_class', comparator: 'class_at_least', value: 'II' }, 'II', 30)).toMatchObject({ meets: true });
    expect(waterTargetProgress({ indicator: 'water_class', comparator: 'class_at_least', value: 'III' }, 'I', 30)).toMatchObject({ meets: true, projection: null });
  });
});
