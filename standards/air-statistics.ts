/**
 * Air statistics by GB 3095 §8 / Table 4 (data validity) and HJ 663-2013 (evaluation): 24-hour means need at
 * least 20 hourly values of the natural day (01:00 … 24:00), 8-hour moving means at least 6 of their 8 hours;
 * the O3 daily maximum 8-hour mean is taken over the windows ending 08:00 … 24:00 of the day; annual means are
 * means of daily means (at least 324 days; 27 a month, 25 in February); percentiles by HJ 663's method
 * (k = 1 + (n − 1) × p, linear between neighbours). Means are exact and rounded by GB/T 8170 to the published
 * precision: μg/m³ to integers, CO mg/m³ to one decimal.
 */
import { decimalPlaces, divideRounded, toScaled } from '../lib/decimal.ts';
import { compareExact } from '../lib/decimal-number.ts';

/**
 * Minimum data of GB 3095-2012 §8 Table 4 (repeated unchanged in GB 3095-2026 §6 Table 4) for the gaseous and
 * particulate pollutants (SO2, NO2, CO, O3, PM10, PM2.5, NOx): the one place these numbers live. The SQL that
 * stores windows (db/repositories/aggregates*.ts) is generated from them, and tested against the functions below.
 */
export const AIR_VALIDITY = Object.freeze({
  /** Hourly values a 24-hour mean (and a natural day) needs: 每日至少有20个小时平均浓度值. */
  hoursPerDay: 20,
  /** Hourly values an 8-hour moving mean needs: 每8小时至少有6小时平均浓度值. */
  hoursPer8h: 6,
  /** Daily values a calendar month needs: 每月至少有27个日平均浓度值… */
  daysPerMonth: 27,
  /** …二月至少有25个日平均浓度值. */
  daysPerFebruary: 25,
  /** Daily values a calendar year needs: 每年至少有324个日平均浓度值. */
  daysPerYear: 324,
});

/**
 * The O3 day value is the largest 8-hour mean among the windows ending 08:00 … 24:00 of the natural day
 * (GB 3095-2012 Table 1 note / HJ 633: 日最大8小时滑动平均, the first window of the day being 01:00–08:00).
 */
export const O3_DAY_FIRST_WINDOW_END_HOUR = 8;

/** Daily values a calendar month (1–12) needs (GB 3095 Table 4). */
export const daysRequiredInMonth = (month: number): number => (month === 2 ? AIR_VALIDITY.daysPerFebruary : AIR_VALIDITY.daysPerMonth);

export interface Statistic {
  /** null when the data are not valid for this statistic. */
  value: string | null;
  validCount: number;
  valid: boolean;
}

const WHOLE_MICROGRAMS = new Set(['pm2_5', 'pm10', 'so2', 'no2', 'o3', 'nox', 'tsp']);

/**
 * Published precision of means: CO one decimal (mg/m³), the other air pollutants whole μg/m³ (as the national
 * platform publishes them); other parameters (water quality in mg/L, meteorology) keep three decimals.
 */
export const publishedDigits = (parameter: string): number => (parameter === 'co' ? 1 : WHOLE_MICROGRAMS.has(parameter) ? 0 : 3);

/** Exact mean of decimals, rounded to `digits` by GB/T 8170. */
export function exactMean(values: readonly string[], digits: number): string {
  if (values.length === 0) throw new Error('no values');
  const scale = Math.max(...values.map(decimalPlaces));
  const sum = values.reduce((s, v) => s + toScaled(v, scale), 0n);
  return divideRounded(sum, BigInt(values.length), scale, digits);
}

function meanWithMinimum(values: readonly (string | null | undefined)[], minimum: number, digits: number): Statistic {
  const present = values.filter((v): v is string => typeof v === 'string');
  const valid = present.length >= minimum;
  return { value: valid ? exactMean(present, digits) : null, validCount: present.length, valid };
}

/** 24-hour mean of a natural day from its 24 hourly values (index 0 = the 01:00 value). GB 3095 Table 4: ≥ 20. */
export function dailyMean(hourly: readonly (string | null | undefined)[], parameter: string): Statistic {
  return meanWithMinimum(hourly, AIR_VALIDITY.hoursPerDay, publishedDigits(parameter));
}

/** 8-hour moving mean from the 8 hourly values ending at the window's end. GB 3095 Table 4: ≥ 6. */
export function eightHourMean(hours: readonly (string | null | undefined)[], parameter = 'o3'): Statistic {
  return meanWithMinimum(hours, AIR_VALIDITY.hoursPer8h, publishedDigits(parameter));
}

/**
 * O3 daily maximum 8-hour mean from a natural day's 24 hourly values: the largest valid 8-hour mean among the
 * windows ending 08:00 … 24:00. `validCount` is the number of valid windows (of 17).
 */
export function o3DailyMax8h(hourly: readonly (string | null | undefined)[]): Statistic {
  let best: string | null = null;
  let validWindows = 0;
  for (let end = O3_DAY_FIRST_WINDOW_END_HOUR; end <= 24; end++) {
    const window = eightHourMean(hourly.slice(end - 8, end));
    if (!window.valid || window.value === null) continue;
    validWindows++;
    if (best === null || compareExact(window.value, best) > 0) best = window.value;
  }
  return { value: best, validCount: validWindows, valid: best !== null };
}

/** Annual mean from the year's valid daily means. GB 3095 Table 4: ≥ 324 daily values. */
export function annualMean(daily: readonly (string | null | undefined)[], parameter: string): Statistic {
  return meanWithMinimum(daily, AIR_VALIDITY.daysPerYear, publishedDigits(parameter));
}

/**
 * The p-th percentile of values by HJ 663-2013: sort ascending, k = 1 + (n − 1) × p / 100, s = ⌊k⌋,
 * m = X(s) + (X(s+1) − X(s)) × (k − s); exact, then rounded by GB/T 8170.
 */
export function percentile(values: readonly string[], p: number, digits: number): string {
  if (values.length === 0) throw new Error('no values');
  const scale = Math.max(...values.map(decimalPlaces));
  const sorted = values.map((v) => toScaled(v, scale)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // k − 1 = (n − 1) × p / 100 as the fraction (n − 1) × p / 100 with integer p.
  const position = BigInt(sorted.length - 1) * BigInt(p);
  const s = position / 100n;
  const fraction = position % 100n;
  const low = sorted[Number(s)] ?? 0n;
  const high = sorted[Number(s) + 1] ?? low;
  // m × 100 = X(s) × 100 + (X(s+1) − X(s)) × fraction
  return divideRounded(low * 100n + (high - low) * fraction, 100n, scale, digits);
}
