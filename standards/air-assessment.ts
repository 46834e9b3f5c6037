/**
 * Period assessment of ambient air (HJ 663-2013) from the daily values of one site or one area: period
 * concentrations, the comprehensive index (环境空气质量综合指数), day counts by AQI category. Pure: the query
 * layer reads the stored natural-day values and passes them in.
 *
 * Published precision (HJ 663-2013 §5 / HJ 633-2026 §4.2.2, GB/T 8170 rounding): SO2, NO2, PM10, PM2.5, O3 in
 * whole μg/m³, CO one decimal in mg/m³; sub-indices and the composite index two decimals; ratios one decimal.
 */
import { divideRounded, toScaled } from '../lib/decimal.ts';
import { compareExact } from '../lib/decimal-number.ts';
import { AIR_VALIDITY, daysRequiredInMonth, exactMean, percentile } from './air-statistics.ts';
import { dailyAqi, editionForDay, type DailyConcentrations } from './aqi.ts';
import { assessedPollutants, type AirFigures, type AssessedPollutant, type PeriodConcentration } from './assessment-types.ts';
import { lastDayOfMonth } from './natural-day.ts';

/** One natural day's values: 24-h means, the O3 daily maximum 8-h mean (already judged valid) and 1-h maximum. */
export interface AssessmentDay {
  day: string;
  values: DailyConcentrations;
}

/**
 * S of each sub-index (C/S): GB 3095-2012 Grade II annual limits for SO2 60, NO2 40, PM10 70, PM2.5 35 μg/m³,
 * the 24-h CO limit 4 mg/m³ and the 8-h O3 limit 160 μg/m³, as the national city ranking rule fixes them. Kept
 * after 2026-03-01 as well: no ranking document adopting GB 3095-2026 limits was found (see `standardNote`).
 */
export const subIndexDivisors: Readonly<Record<AssessedPollutant, string>> = { so2: '60', no2: '40', pm10: '70', pm2_5: '35', co: '4', o3_8h: '160' };

/** GB 3095-2012 Grade II 8-h O3 limit (μg/m³), unchanged in GB 3095-2026. */
export const O3_8H_LIMIT = '160';

/**
 * Whether a stored O3 daily maximum 8-h mean counts: at least 14 valid 8-h means among the 17 windows ending
 * 08:00 … 24:00, or fewer when the maximum exceeds the limit anyway (HJ 663-2013 Table 1 note; clause unverified).
 */
export function o3DayCounts(value: string | null, validWindows: number): boolean {
  if (value === null) return false;
  return validWindows >= 14 || compareExact(value, O3_8H_LIMIT) > 0;
}

const daysBetween = (from: string, to: string): number => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;

/**
 * Daily values a period needs for its concentrations to be valid. GB 3095-2012 Table 4: a calendar year 324, a
 * calendar month 27, February 25. Other spans (quarter, year to date, custom): the sum over the calendar months it
 * touches, a whole month by Table 4 and a partial month pro rata to its days in the span, each rounded up — so a
 * quarter needs 27 + 27 + 25 = 79 (Q1) and 1–15 January needs ⌈27 × 15 / 31⌉ = 14.
 */
export function requiredDays(from: string, to: string): number {
  if (from.endsWith('-01-01') && to === `${from.slice(0, 4)}-12-31`) return AIR_VALIDITY.daysPerYear;
  let total = 0;
  for (let start = from; start <= to; ) {
    const year = Number(start.slice(0, 4));
    const month = Number(start.slice(5, 7));
    const monthEnd = lastDayOfMonth(year, month);
    const end = monthEnd < to ? monthEnd : to;
    const monthDays = Number(monthEnd.slice(8, 10));
    const need = daysRequiredInMonth(month);
    const inSpan = daysBetween(start, end);
    total += inSpan === monthDays ? need : Math.ceil((need * inSpan) / monthDays);
    start = new Date(Date.parse(`${monthEnd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  return total;
}

/** The editions of HJ 633 the days fall under, and a note when a period spans 2026-03-01. */
export function standardOf(from: string, to: string): { editions: string[]; note: string | null } {
  const editions = [...new Set([editionForDay(from), editionForDay(to)])];
  const notes: string[] = [];
  if (editions.length > 1) notes.push('时段跨越2026-03-01：此前各日AQI按HJ 633-2012，此后按HJ 633-2026计算');
  if (to >= '2026-03-01') notes.push('综合指数仍以GB 3095-2012二级年均值（SO2 60、NO2 40、PM10 70、PM2.5 35）及CO 4、O3 160为分母，未见采用GB 3095-2026限值的排名文件');
  return { editions, note: notes.length === 0 ? null : notes.join('；') };
}

const categoryNames = ['优', '良', '轻度污染', '中度污染', '重度污染', '严重污染'];
const dayKey: Record<AssessedPollutant, keyof DailyConcentrations> = { so2: 'so2', no2: 'no2', pm10: 'pm10', pm2_5: 'pm2_5', co: 'co', o3_8h: 'o3_8h' };

/** A fraction of integers: the exact sub-index C/S. */
interface Fraction {
  num: bigint;
  den: bigint;
}

/** The figures of the days of one period; `required` is the daily values each concentration needs. */
export function airFigures(days: readonly AssessmentDay[], periodDays: number, required: number): AirFigures {
  const categories: Record<string, number> = Object.fromEntries(categoryNames.map((n) => [n, 0]));
  const primaryPollutantDays: Record<string, number> = {};
  let validDays = 0;
  let goodDays = 0;
  let heavyDays = 0;
  for (const d of days) {
    // The edition of the day: HJ 633-2012 includes the O3 1-h maximum, HJ 633-2026 drops it.
    const result = dailyAqi(editionForDay(d.day), d.values);
    if (result.aqi === null || result.category === null) continue;
    validDays++;
    // HJ 663-2013: a good day (达标天) has AQI ≤ 100; a heavy-pollution day AQI > 200.
    if (result.aqi <= 100) goodDays++;
    if (result.aqi > 200) heavyDays++;
    categories[result.category.nameZh] = (categories[result.category.nameZh] ?? 0) + 1;
    for (const p of result.primaryPollutants) primaryPollutantDays[p] = (primaryPollutantDays[p] ?? 0) + 1;
  }

  const concentrations = {} as Record<AssessedPollutant, PeriodConcentration>;
  for (const p of assessedPollutants) {
    const values = days.flatMap((d) => (d.values[dayKey[p]] === undefined ? [] : [d.values[dayKey[p]] as string]));
    const valid = values.length >= required && values.length > 0;
    // HJ 663-2013 §5.2: CO the 95th, O3 daily max 8-h the 90th percentile of daily values; others the mean.
    const statistic = p === 'co' ? 'p95' : p === 'o3_8h' ? 'p90' : 'mean';
    const digits = p === 'co' ? 1 : 0;
    const value = !valid ? null : statistic === 'mean' ? exactMean(values, digits) : percentile(values, statistic === 'p95' ? 95 : 90, digits);
    concentrations[p] = { value, validCount: values.length, required, valid, statistic };
  }

  // C/S from the published (rounded) concentrations, as the ranking rule uses them.
  const exact = {} as Record<AssessedPollutant, Fraction | null>;
  const subIndices = {} as Record<AssessedPollutant, string | null>;
  for (const p of assessedPollutants) {
    const c = concentrations[p].value;
    if (c === null) {
      exact[p] = null;
      subIndices[p] = null;
      continue;
    }
    const f = { num: toScaled(c, 1), den: BigInt(subIndexDivisors[p]) * 10n };
    exact[p] = f;
    subIndices[p] = divideRounded(f.num, f.den, 0, 2);
  }
  const fractions = assessedPollutants.map((p) => exact[p]);
  let compositeIndex: string | null = null;
  let primaryPollutant: AssessedPollutant[] | null = null;
  if (fractions.every((f): f is Fraction => f !== null)) {
    // The sum of the exact sub-indices, rounded once (not the sum of the rounded ones).
    const den = fractions.reduce((a, f) => a * f.den, 1n);
    const num = fractions.reduce((a, f) => a + (f.num * den) / f.den, 0n);
    compositeIndex = divideRounded(num, den, 0, 2);
    // Largest exact sub-index; equal ones are all primary.
    const cmp = (a: Fraction, b: Fraction) => (a.num * b.den > b.num * a.den ? 1 : a.num * b.den < b.num * a.den ? -1 : 0);
    const top = fractions.reduce((a, b) => (cmp(b, a) > 0 ? b : a));
    primaryPollutant = assessedPollutants.filter((p) => cmp(exact[p] as Fraction, top) === 0);
  }

  return {
    days: periodDays,
    validDays,
    goodDays,
    goodRatio: ratio(goodDays, validDays),
    heavyDays,
    heavyRatio: ratio(heavyDays, validDays),
    categories,
    primaryPollutantDays,
    concentrations,
    subIndices,
    compositeIndex,
    primaryPollutant,
  };
}

/** count / total in percent, one decimal (GB/T 8170); null without a total. */
function ratio(count: number, total: number): string | null {
  return total === 0 ? null : divideRounded(BigInt(count) * 100n, BigInt(total), 0, 1);
}

/** (this − last) / last × 100, one decimal; null when either is missing or last is zero. */
export function percentChange(current: string | null, last: string | null): string | null {
  if (current === null || last === null) return null;
  const scale = Math.max(decimals(current), decimals(last));
  const l = toScaled(last, scale);
  if (l === 0n) return null;
  return divideRounded((toScaled(current, scale) - l) * 100n, l, 0, 1);
}

/** this − last in percentage points, one decimal (for good-day ratios). */
export function pointChange(current: string | null, last: string | null): string | null {
  if (current === null || last === null) return null;
  const scale = Math.max(decimals(current), decimals(last));
  return divideRounded(toScaled(current, scale) - toScaled(last, scale), 1n, scale, 1);
}

const decimals = (v: string): number => (v.includes('.') ? v.length - v.indexOf('.') - 1 : 0);

/**
 * Area days (HJ 663-2013 §4.1): per day and pollutant the mean of the sites' daily values that day (sites with a
 * valid value), rounded by GB/T 8170 to the published precision like a site's day value.
 */
export function areaDays(sites: readonly (readonly AssessmentDay[])[]): AssessmentDay[] {
  const byDay = new Map<string, Map<keyof DailyConcentrations, string[]>>();
  for (const site of sites) {
    for (const d of site) {
      const values = byDay.get(d.day) ?? new Map<keyof DailyConcentrations, string[]>();
      byDay.set(d.day, values);
      for (const [k, v] of Object.entries(d.values) as [keyof DailyConcentrations, string | undefined][]) {
        if (v !== undefined) values.set(k, [...(values.get(k) ?? []), v]);
      }
    }
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, values]) => ({ day, values: Object.fromEntries([...values].map(([k, list]) => [k, exactMean(list, k === 'co' ? 1 : 0)])) }));
}
