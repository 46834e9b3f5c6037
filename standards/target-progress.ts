/**
 * Year-to-date progress of a plan target and what the rest of the year needs. Air targets work on the natural
 * days of the target year: the PM2.5 annual mean is the mean of valid daily means; a good day has AQI ≤ 100 and a
 * heavy-pollution day AQI > 200 (HJ 663-2013 practice), their ratios taken over days with an AQI. Water targets
 * compare the section's class from the year-to-date means with the target class. The projection assumes every
 * remaining day of the year will have valid data. Figures are compared as published — rounded by GB/T 8170 — and
 * in exact decimals, never binary floats.
 */
import { compareDecimal, decimalPlaces, divideRounded, toScaled } from '../lib/decimal.ts';
import { asDecimal, divideTruncated } from '../lib/decimal-number.ts';
import { exactMean, publishedDigits } from './air-statistics.ts';
import type { WaterClass } from './water-class.ts';
import type { TargetAssessment } from './water-target.ts';

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
  const limit = asDecimal(rule.comparator === 'not_worse_than_baseline' ? (rule.baseline ?? NaN) : (rule.value ?? NaN));
  const withAqi = days.filter((d) => d.aqi !== null);
  const remaining = Math.max(0, daysInYear - days.length);
  switch (rule.indicator) {
    case 'pm2_5_annual_mean': {
      const values = days.map((d) => d.pm2_5).filter((v): v is string => v !== null);
      if (values.length === 0) return { current: null, basis: 0, required: `≤ ${limit}`, meets: null, projection: null };
      const digits = publishedDigits('pm2_5');
      const current = exactMean(values, digits);
      return { current, basis: values.length, required: `≤ ${limit}`, meets: compareDecimal(current, limit) <= 0, projection: remaining > 0 ? annualMeanProjection(values, limit, remaining, digits) : null };
    }
    case 'good_day_ratio': {
      if (withAqi.length === 0) return { current: null, basis: 0, required: `≥ ${limit}%`, meets: null, projection: null };
      const good = withAqi.filter((d) => (d.aqi as number) <= 100).length;
      const current = ratio(good, withAqi.length);
      const total = withAqi.length + remaining;
      // The fewest good days of the year whose ratio, as published, reaches the target.
      const fewest = firstCount(total, (g) => compareDecimal(ratio(g, total), limit) >= 0);
      const neededGood = fewest === null ? null : Math.max(0, fewest - good);
      const projection = neededGood === null || neededGood > remaining ? `优良天数比例已无法达到 ${limit}%` : `剩余 ${remaining} 天中至少需 ${neededGood} 天优良`;
      return { current, basis: withAqi.length, required: `≥ ${limit}%`, meets: compareDecimal(current, limit) >= 0, projection };
    }
    case 'heavy_pollution_day_ratio':
    case 'heavy_pollution_days': {
      if (withAqi.length === 0) return { current: null, basis: 0, required: `≤ ${limit}`, meets: null, projection: null };
      const heavy = withAqi.filter((d) => (d.aqi as number) > 200).length;
      const total = withAqi.length + remaining;
      const asRatio = rule.indicator === 'heavy_pollution_day_ratio';
      const current = asRatio ? ratio(heavy, withAqi.length) : String(heavy);
      const within = (h: number) => compareDecimal(asRatio ? ratio(h, total) : String(h), limit) <= 0;
      // The most heavy-pollution days of the year still within the target (as published), less those already seen.
      const over = firstCount(total, (h) => !within(h));
      const allowed = (over === null ? total : over - 1) - heavy;
      const projection = allowed < 0 ? `重污染天数已超出目标` : `剩余时间内最多还可有 ${allowed} 个重污染天`;
      return { current, basis: withAqi.length, required: `≤ ${limit}${asRatio ? '%' : ' 天'}`, meets: compareDecimal(current, limit) <= 0, projection };
    }
    case 'water_class':
      throw new Error('water_class is not an air target');
  }
}

/**
 * What the remaining days of the year must average for the annual mean, published as GB/T 8170 rounds it (PM2.5 to
 * an integer, standards/air-statistics.ts), to meet ≤ limit. The published mean meets ≤ 44 up to an exact mean of
 * 44.5 (half to even rounds 44.5 down to 44; 43.5 rounds up to 44, so ≤ 43 needs a mean under 43.5). All exact:
 * the largest sum the remaining days may have, then cut to one decimal, so any average at or below the figure shown
 * meets the target.
 */
function annualMeanProjection(values: readonly string[], limit: string, remaining: number, digits: number): string {
  const scale = Math.max(...values.map(decimalPlaces));
  const sum = values.reduce((s, v) => s + toScaled(v, scale), 0n);
  const days = BigInt(values.length + remaining);
  // (limit + half a unit of the last published digit) × days, in units of 10^-wide.
  const wide = Math.max(scale, digits + 1, decimalPlaces(limit));
  const bound = (toScaled(limit, wide) + 5n * 10n ** BigInt(wide - digits - 1)) * days;
  const step = 10n ** BigInt(wide - scale);
  let rest = (bound - sum * step) / step;
  while (rest >= 0n && compareDecimal(divideRounded(sum + rest, days, scale, digits), limit) > 0) rest -= 1n;
  if (rest < 0n) return `全年均值已无法达到 ≤ ${limit}（剩余 ${remaining} 天即使为 0 也不够）`;
  const average = divideTruncated(rest, BigInt(remaining) * 10n ** BigInt(scale), 1);
  return `剩余 ${remaining} 天 PM2.5 日均值平均需 ≤ ${average} μg/m³（全年均值修约为${digits === 0 ? '整数' : ` ${digits} 位小数`}后 ≤ ${limit}）`;
}

/** The smallest count in 0…total for which `holds` is true (it holds for every larger count too); null if none. */
function firstCount(total: number, holds: (count: number) => boolean): number | null {
  let lo = 0;
  let hi = total + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo > total ? null : lo;
}

/**
 * A water target year to date, from the section's assessment against it (standards/water-target.ts: the class of
 * the year's means, seasonal special limits each against the mean of its own months).
 */
export function waterTargetProgress(rule: TargetRule, assessment: TargetAssessment | null, samples: number): Progress {
  const target = String(rule.comparator === 'not_worse_than_baseline' ? rule.baseline : rule.value) as WaterClass;
  const special = assessment?.seasonal.map((s) => `${s.parameter} ≤ ${s.limit}`) ?? [];
  const required = `${target} 类或更好${special.length > 0 ? `（季节限值 ${special.join('，')}）` : ''}`;
  if (assessment === null || assessment.meets === null) return { current: null, basis: 0, required, meets: null, projection: null };
  const needs = [...(assessment.classMeets === false ? [`需改善至 ${target} 类`] : []), ...assessment.seasonal.filter((s) => s.breached).map((s) => `${s.parameter} 均值 ${s.value} 需降至季节限值 ${s.limit} 以内`)];
  return { current: assessment.class, basis: samples, required, meets: assessment.meets, projection: needs.length > 0 ? needs.join('；') : null };
}

/** part / whole as a percentage with two decimals, rounded by GB/T 8170 on the exact ratio. */
function ratio(part: number, whole: number): string {
  return divideRounded(BigInt(part) * 100n, BigInt(whole), 0, 2);
}
