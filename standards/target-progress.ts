/**
 * Year-to-date progress of a plan target and what the rest of the year needs. Air targets work on the natural
 * days of the target year: the PM2.5 annual mean is the mean of valid daily means; a good day has AQI ≤ 100 and a
 * heavy-pollution day AQI > 200 (HJ 663-2013 practice), their ratios taken over days with an AQI. Water targets
 * compare the section's class from the year-to-date means with the target class. The projection assumes every
 * remaining day of the year will have valid data.
 */
import { divideRounded } from '../lib/decimal.ts';
import { exactMean } from './air-statistics.ts';
import { meetsClass, type WaterClass } from './water-class.ts';

export interface DailyAirValues {
  day: string;
  aqi: number | null;
  pm2_5: string | null;
}

export interface TargetRule {
  indicator: 'pm2_5_annual_mean' | 'good_day_ratio' | 'heavy_pollution_day_ratio' | 'heavy_pollution_days' | 'water_class';
  comparator: '<=' | '>=' | 'class_at_least' | 'not_worse_than_baseline';
  value?: number | string;
  baseline?: number | string;
}

export interface Progress {
  /** The year-to-date value in the indicator's unit (null without data). */
  current: string | null;
  /** Days (or for water, samples) the value rests on. */
  basis: number;
  /** What must hold for the target: the limit, resolved for "keep stable or improve". */
  required: string;
  /** Whether the year-to-date value meets the target; null without data. */
  meets: boolean | null;
  /** What the rest of the year needs, in words an official reads (Chinese first). */
  projection: string | null;
}

export function airTargetProgress(rule: TargetRule, days: readonly DailyAirValues[], daysInYear: number): Progress {
  const limit = Number(rule.comparator === 'not_worse_than_baseline' ? rule.baseline : rule.value);
  const withAqi = days.filter((d) => d.aqi !== null);
  const remaining = Math.max(0, daysInYear - days.length);
  switch (rule.indicator) {
    case 'pm2_5_annual_mean': {
      const values = days.map((d) => d.pm2_5).filter((v): v is string => v !== null);
      if (values.length === 0) return { current: null, basis: 0, required: `≤ ${limit}`, meets: null, projection: null };
      const current = exactMean(values, 0);
      const sum = values.reduce((s, v) => s + Number(v), 0);
      // The mean over all days of the year may not exceed the limit: sum + rest × x ≤ limit × (n + rest).
      const needed = remaining > 0 ? (limit * (values.length + remaining) - sum) / remaining : null;
      const projection =
        needed === null ? null : needed < 0 ? `全年均值已无法达到 ≤ ${limit}（剩余 ${remaining} 天即使为 0 也不够）` : `剩余 ${remaining} 天 PM2.5 日均值平均需 ≤ ${Math.floor(needed)} μg/m³`;
      return { current, basis: values.length, required: `≤ ${limit}`, meets: Number(current) <= limit, projection };
    }
    case 'good_day_ratio': {
      if (withAqi.length === 0) return { current: null, basis: 0, required: `≥ ${limit}%`, meets: null, projection: null };
      const good = withAqi.filter((d) => (d.aqi as number) <= 100).length;
      const current = ratio(good, withAqi.length);
      const total = withAqi.length + remaining;
      const neededGood = Math.max(0, Math.ceil((limit / 100) * total - good - 1e-9));
      const projection = neededGood > remaining ? `优良天数比例已无法达到 ${limit}%` : `剩余 ${remaining} 天中至少需 ${neededGood} 天优良`;
      return { current, basis: withAqi.length, required: `≥ ${limit}%`, meets: Number(current) >= limit, projection };
    }
    case 'heavy_pollution_day_ratio':
    case 'heavy_pollution_days': {
      if (withAqi.length === 0) return { current: null, basis: 0, required: `≤ ${limit}`, meets: null, projection: null };
      const heavy = withAqi.filter((d) => (d.aqi as number) > 200).length;
      const total = withAqi.length + remaining;
      const asRatio = rule.indicator === 'heavy_pollution_day_ratio';
      const current = asRatio ? ratio(heavy, withAqi.length) : String(heavy);
      const allowed = asRatio ? Math.floor((limit / 100) * total + 1e-9) - heavy : limit - heavy;
      const projection = allowed < 0 ? `重污染天数已超出目标` : `剩余时间内最多还可有 ${allowed} 个重污染天`;
      return { current, basis: withAqi.length, required: `≤ ${limit}${asRatio ? '%' : ' 天'}`, meets: Number(current) <= limit, projection };
    }
    case 'water_class':
      throw new Error('water_class is not an air target');
  }
}

export function waterTargetProgress(rule: TargetRule, currentClass: WaterClass | null, samples: number): Progress {
  const target = String(rule.comparator === 'not_worse_than_baseline' ? rule.baseline : rule.value) as WaterClass;
  if (currentClass === null) return { current: null, basis: 0, required: `${target} 类或更好`, meets: null, projection: null };
  const meets = meetsClass(currentClass, target);
  return { current: currentClass, basis: samples, required: `${target} 类或更好`, meets, projection: meets ? null : `需改善至 ${target} 类` };
}

/** part / whole as a percentage with two decimals, rounded by GB/T 8170 on the exact ratio. */
function ratio(part: number, whole: number): string {
  return divideRounded(BigInt(part) * 100n, BigInt(whole), 0, 2);
}
