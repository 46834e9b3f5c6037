/**
 * Which rolling windows of one hourly series a change touches — the pure half of the incremental aggregates.
 *
 * A new, late or revised value at hour h changes the 8- and 24-hour moving means ending at h … h + 23 h, the
 * natural day holding those ends, that day's month and that month's year; nothing else. Moving windows exist for
 * ends up to the series' watermark (its newest stored hour): when the watermark advances, the windows between the
 * old and the new watermark come into being too, and are computed then (they may hold earlier values).
 */
import { BEIJING_OFFSET_MS, DAY_MS, HOUR_MS } from '../lib/time.ts';
import { AIR_VALIDITY, daysRequiredInMonth } from './air-statistics.ts';
import { endOfNaturalDay, lastDayOfMonth, naturalDayOf } from './natural-day.ts';

/** Hour ends in (from, to], in ms. */
export interface HourSpan {
  from: number;
  to: number;
}

/** Inclusive range of window ends, in ms. */
export type EndRange = readonly [number, number];

/** A calendar period by its natural days: day ends in (from, to]; `minimum` valid days make its mean valid. */
export interface Period {
  from: number;
  to: number;
  minimum: number;
}

export interface AffectedWindows {
  /** Ends of the moving windows (8 h and 24 h) to refresh, merged and in order. */
  moving: EndRange[];
  /** Ends (24:00 Beijing time) of the natural days to refresh. */
  days: number[];
  months: Period[];
  years: Period[];
}

const MOVING_SPAN_HOURS = 24;

export function affectedWindows(changes: readonly HourSpan[], oldWatermark: number | null, newWatermark: number): AffectedWindows {
  const ranges: [number, number][] = [];
  for (const c of changes) {
    const last = Math.min(c.to + (MOVING_SPAN_HOURS - 1) * HOUR_MS, newWatermark);
    const first = c.from + HOUR_MS;
    if (first <= last) ranges.push([first, last]);
  }
  if (oldWatermark !== null && newWatermark > oldWatermark) ranges.push([oldWatermark + HOUR_MS, newWatermark]);
  const moving = mergeRanges(ranges);

  const days = new Set<number>();
  for (const [first, last] of moving) {
    for (let end = dayEndOf(first); end <= dayEndOf(last); end += DAY_MS) days.add(end);
  }
  const dayList = [...days].sort((a, b) => a - b);
  const months = new Set<Period>();
  const years = new Set<Period>();
  for (const end of dayList) {
    const periods = periodsOfDay(end);
    months.add(periods.month);
    years.add(periods.year);
  }
  return { moving, days: dayList, months: [...months], years: [...years] };
}

/**
 * The month and year of a natural day, by its end. Shared (frozen) objects: an hour of 10,000 series asks for the
 * same day 20,000 times, and building its periods from calendar strings each time cost more CPU than the SQL.
 */
const periodsByDayEnd = new Map<number, { month: Period; year: Period }>();
/** One object per month and year, so that the days of one month give the same period (deduplicated as objects). */
const periodsByKey = new Map<string, Period>();

function periodsOfDay(dayEnd: number): { month: Period; year: Period } {
  let found = periodsByDayEnd.get(dayEnd);
  if (!found) {
    // Bounded: a long rebuild walks many days, live evaluation a few.
    if (periodsByDayEnd.size >= 4096) {
      periodsByDayEnd.clear();
      periodsByKey.clear();
    }
    const day = naturalDayOf(new Date(dayEnd));
    found = { month: periodOf(day.slice(0, 7), monthPeriod), year: periodOf(day.slice(0, 4), yearPeriod) };
    periodsByDayEnd.set(dayEnd, found);
  }
  return found;
}

function periodOf(key: string, make: (key: string) => Period): Period {
  let period = periodsByKey.get(key);
  if (!period) {
    period = Object.freeze(make(key));
    periodsByKey.set(key, period);
  }
  return period;
}

export function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [first, last] of sorted) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1] + HOUR_MS) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/**
 * The end of the natural day an hour end belongs to: `endOfNaturalDay(naturalDayOf(hourEnd))` in arithmetic (Beijing
 * time has a fixed offset), as it runs for every series of every evaluation.
 */
export function dayEndOf(hourEnd: number): number {
  return Math.floor((hourEnd + BEIJING_OFFSET_MS - HOUR_MS) / DAY_MS) * DAY_MS + DAY_MS - BEIJING_OFFSET_MS;
}

/** A calendar month (YYYY-MM). GB 3095-2012 Table 4: a monthly mean needs 27 daily values, 25 in February. */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: endOfNaturalDay(lastDayOfMonth(y, m - 1)).getTime(), to: endOfNaturalDay(lastDayOfMonth(y, m)).getTime(), minimum: daysRequiredInMonth(m) };
}

/** A calendar year (YYYY). GB 3095-2012 Table 4: an annual mean needs 324 daily values. */
export function yearPeriod(year: string): Period {
  const y = Number(year);
  return { from: endOfNaturalDay(`${y - 1}-12-31`).getTime(), to: endOfNaturalDay(`${y}-12-31`).getTime(), minimum: AIR_VALIDITY.daysPerYear };
}
