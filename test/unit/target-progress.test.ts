import { describe, expect, it } from 'vitest';
import { airTargetProgress, waterTargetProgress, type DailyAirValues } from '../../standards/target-progress.ts';

const days = (aqis: (number | null)[], pm25: (string | null)[] = []): DailyAirValues[] =>
  aqis.map((aqi, i) => ({ day: `2025-01-${String(i + 1).padStart(2, '0')}`, aqi, pm2_5: pm25[i] ?? null }));

describe('plan target progress', () => {
  it('PM2.5 annual mean: year to date, and what the rest of the year must average', () => {
    const p = airTargetProgress({ indicator: 'pm2_5_annual_mean', comparator: '<=', value: 44 }, days([1, 1, 1, 1], ['60', '50', '40', '50']), 10);
    // Mean 50 over 4 days. The annual mean is published as an integer (GB/T 8170), so ≤ 44 holds up to a mean of
    // 44.5 (half to even: 44.5 → 44): the 10 days may sum to 445, the remaining 6 to 245, 40.83… a day. Shown cut
    // to one decimal, so any average at or below it meets the target: 6 × 40.8 = 244.8 → 444.8 / 10 = 44.48 → 44.
    expect(p).toEqual({ current: '50', basis: 4, required: '≤ 44', meets: false, projection: '剩余 6 天 PM2.5 日均值平均需 ≤ 40.8 μg/m³（全年均值修约为整数后 ≤ 44）' });
  });

  it('PM2.5 annual mean against an odd limit: a mean of exactly 43.5 is published as 44 and misses ≤ 43', () => {
    // 43 + 44 = 87 over 2 days, 2 more days in the year: 4 days must sum to less than 4 × 43.5 = 174, so the
    // remaining two at most 86, 43 a day (86 + 87 = 173, 43.25 → 43; 87 + 87 = 174, 43.5 → 44).
    const p = airTargetProgress({ indicator: 'pm2_5_annual_mean', comparator: '<=', value: 43 }, days([1, 1], ['43', '44']), 4);
    expect(p).toEqual({ current: '44', basis: 2, required: '≤ 43', meets: false, projection: '剩余 2 天 PM2.5 日均值平均需 ≤ 43 μg/m³（全年均值修约为整数后 ≤ 43）' });
  });

  it('PM2.5 annual mean: a year-to-date mean of 44.5 is published as 44 and meets ≤ 44', () => {
    const p = airTargetProgress({ indicator: 'pm2_5_annual_mean', comparator: '<=', value: 44 }, days([1, 1], ['44', '45']), 2);
    expect(p).toMatchObject({ current: '44', meets: true, projection: null });
  });

  it('PM2.5 annual mean out of reach: even days of 0 μg/m³ would not do', () => {
    // 2 days of 300: the 4 days may sum to at most 4 × 44.5 = 178 < 600.
    const p = airTargetProgress({ indicator: 'pm2_5_annual_mean', comparator: '<=', value: 44 }, days([1, 1], ['300', '300']), 4);
    expect(p.projection).toBe('全年均值已无法达到 ≤ 44（剩余 2 天即使为 0 也不够）');
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

  it('water class against the target class, and a seasonal special limit', () => {
    const assessed = (cls: 'II' | 'IV', classMeets: boolean, seasonal: { parameter: string; limit: number; value: string; breached: boolean }[] = []) => ({
      class: cls,
      targetClass: 'III' as const,
      meets: classMeets && seasonal.every((s) => !s.breached),
      classMeets,
      worst: [],
      seasonal,
    });
    const rule = { indicator: 'water_class' as const, comparator: 'class_at_least' as const, value: 'III' };
    expect(waterTargetProgress(rule, assessed('IV', false), 30)).toMatchObject({ current: 'IV', meets: false, projection: '需改善至 III 类' });
    expect(waterTargetProgress(rule, assessed('II', true), 30)).toMatchObject({ meets: true, projection: null });
    expect(waterTargetProgress(rule, assessed('II', true, [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true }]), 30)).toEqual({
      current: 'II',
      basis: 30,
      required: 'III 类或更好（季节限值 nh3_n ≤ 5）',
      meets: false,
      projection: 'nh3_n 均值 6.5 需降至季节限值 5 以内',
    });
    expect(waterTargetProgress(rule, null, 0)).toMatchObject({ current: null, meets: null });
  });
});
