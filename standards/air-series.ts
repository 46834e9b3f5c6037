/**
 * Hourly and daily AQI and window statistics of one site from its hourly values: the pure layer between stored
 * readings and the `aqi` and `stats` queries.
 */
import { AIR_VALIDITY, annualMean, dailyMean, daysRequiredInMonth, eightHourMean, exactMean, o3DailyMax8h, publishedDigits, type Statistic } from './air-statistics.ts';
import { dailyAqi, editionForDay, editionForHour, hourlyAqi, pollutants, type AqiResult, type DailyConcentrations, type Pollutant } from './aqi.ts';
import { HOUR_MS } from '../lib/time.ts';
import { endOfNaturalDay, lastDayOfMonth, naturalDayOf } from './natural-day.ts';
import { compareExact } from '../lib/decimal-number.ts';

/** Hourly values of one site: parameter → interval end (ms) → value. */
export type HourlySeries = Map<string, Map<number, string>>;

export function hourlyAqiSeries(series: HourlySeries, hourEnds: readonly number[]): { time: Date; result: AqiResult }[] {
  return hourEnds.map((t) => {
    const values: Partial<Record<Pollutant, string>> = {};
    for (const p of pollutants) {
      const v = series.get(p)?.get(t);
      if (v !== undefined) values[p] = v;
    }
    return { time: new Date(t), result: hourlyAqi(editionForHour(new Date(t)), values) };
  });
}

/** The 24 hourly values of a natural day for one parameter (index 0 = 01:00). */
export function dayHours(series: HourlySeries, parameter: string, day: string): (string | null)[] {
  const end = endOfNaturalDay(day).getTime();
  return Array.from({ length: 24 }, (_, i) => series.get(parameter)?.get(end - (23 - i) * HOUR_MS) ?? null);
}

export function dailyAqiOf(series: HourlySeries, day: string): AqiResult {
  const value = (s: Statistic) => (s.valid && s.value !== null ? s.value : undefined);
  const o3Hours = dayHours(series, 'o3', day);
  const o3Valid = o3Hours.filter((h): h is string => h !== null);
  const input = {
    pm2_5: value(dailyMean(dayHours(series, 'pm2_5', day), 'pm2_5')),
    pm10: value(dailyMean(dayHours(series, 'pm10', day), 'pm10')),
    so2: value(dailyMean(dayHours(series, 'so2', day), 'so2')),
    no2: value(dailyMean(dayHours(series, 'no2', day), 'no2')),
    co: value(dailyMean(dayHours(series, 'co', day), 'co')),
    o3_8h: value(o3DailyMax8h(o3Hours)),
    // The daily maximum hourly O3 (a daily indicator of HJ 633-2012) needs the day's hours to be valid too.
    o3_1h: o3Valid.length >= AIR_VALIDITY.hoursPerDay ? o3Valid.reduce((a, b) => (compareExact(b, a) > 0 ? b : a)) : undefined,
  };
  return dailyAqi(editionForDay(day), Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
}

/**
 * Adds one pollutant's stored natural-day values (day value, largest hour, valid hours) to a day's AQI input, by
 * the same rules as `dailyAqiOf`: the O3 day value is its daily maximum 8-hour mean, and the O3 daily maximum
 * hourly value (an HJ 633-2012 daily indicator) counts only when the day has 20 valid hours.
 */
export function addDayValue(values: DailyConcentrations, pollutant: Pollutant, day: { value: string | null; maxHour: string | null; hourCount: number | null }): void {
  if (pollutant !== 'o3') {
    if (day.value !== null) values[pollutant] = day.value;
    return;
  }
  if (day.value !== null) values.o3_8h = day.value;
  if (day.maxHour !== null && (day.hourCount ?? 0) >= AIR_VALIDITY.hoursPerDay) values.o3_1h = day.maxHour;
}

export type StatsWindow = '1h' | '8h' | '24h' | 'day' | 'month' | 'year';

export interface WindowValue extends Statistic {
  /** End of the window: an hour's end, or the end of the day, month or year (24:00 Beijing time). */
  time: Date;
}

/** Statistics of one parameter over consecutive windows whose ends fall in (from, to]. */
export function windowStatistics(series: HourlySeries, parameter: string, window: StatsWindow, from: Date, to: Date): WindowValue[] {
  const values = series.get(parameter) ?? new Map<number, string>();
  const hourEnds: number[] = [];
  for (let t = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS; t <= to.getTime(); t += HOUR_MS) hourEnds.push(t);
  const lastHours = (t: number, n: number) => Array.from({ length: n }, (_, i) => values.get(t - (n - 1 - i) * HOUR_MS) ?? null);
  switch (window) {
    case '1h':
      return hourEnds.map((t) => {
        const v = values.get(t) ?? null;
        return { time: new Date(t), value: v, validCount: v === null ? 0 : 1, valid: v !== null };
      });
    case '8h':
      return hourEnds.map((t) => ({ time: new Date(t), ...eightHourMean(lastHours(t, 8), parameter) }));
    case '24h':
      return hourEnds.map((t) => ({ time: new Date(t), ...dailyMean(lastHours(t, 24), parameter) }));
    case 'day':
      return naturalDays(from, to).map((day) => ({ time: endOfNaturalDay(day), ...(parameter === 'o3' ? o3DailyMax8h(dayHours(series, 'o3', day)) : dailyMean(dayHours(series, parameter, day), parameter)) }));
    case 'month':
    case 'year':
      return periodMeans(series, parameter, window, from, to);
  }
}

/** Natural days whose end falls in (from, to]. */
export function naturalDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let day = naturalDayOf(new Date(from.getTime() + HOUR_MS)); endOfNaturalDay(day) <= to; day = nextDay(day)) {
    if (endOfNaturalDay(day) > from) days.push(day);
  }
  return days;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Monthly and annual means of daily values (GB 3095 Table 4: 27 days a month, 25 in February; 324 a year). */
function periodMeans(series: HourlySeries, parameter: string, window: 'month' | 'year', from: Date, to: Date): WindowValue[] {
  const groups = new Map<string, (string | null)[]>();
  for (const day of naturalDays(from, to)) {
    const key = window === 'month' ? day.slice(0, 7) : day.slice(0, 4);
    const daily = parameter === 'o3' ? o3DailyMax8h(dayHours(series, 'o3', day)) : dailyMean(dayHours(series, parameter, day), parameter);
    groups.set(key, [...(groups.get(key) ?? []), daily.value]);
  }
  return [...groups.entries()].map(([key, daily]) => {
    const lastDay = window === 'month' ? lastDayOfMonth(Number(key.slice(0, 4)), Number(key.slice(5, 7))) : `${key}-12-31`;
    if (window === 'year') return { time: endOfNaturalDay(lastDay), ...annualMean(daily, parameter) };
    const present = daily.filter((d): d is string => d !== null);
    const minimum = daysRequiredInMonth(Number(key.slice(5, 7)));
    const valid = present.length >= minimum;
    return { time: endOfNaturalDay(lastDay), value: valid ? exactMean(present, publishedDigits(parameter)) : null, validCount: present.length, valid };
  });
}

/** Builds per-site series from query rows. */
export function seriesBySite(rows: readonly { site: string; parameter: string; observedAt: Date; value: string }[]): Map<string, HourlySeries> {
  const bySite = new Map<string, HourlySeries>();
  for (const r of rows) {
    const site = bySite.get(r.site) ?? new Map<string, Map<number, string>>();
    bySite.set(r.site, site);
    const values = site.get(r.parameter) ?? new Map<number, string>();
    site.set(r.parameter, values);
    values.set(r.observedAt.getTime(), r.value);
  }
  return bySite;
}
