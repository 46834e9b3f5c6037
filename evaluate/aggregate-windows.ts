/**
 * Which rolling windows of one hourly series a change touches — the pure half of the incremental aggregates.
 *
 * A new, late or revised value at hour h changes the 8- and 24-hour moving means ending at h … h + 23 h, the
 * natural day holding those ends, that day's month and that month's year; nothing else. Moving windows exist for
 * ends up to the series' watermark (its newest stored hour): when the watermark advances, the windows between the
 * old and the new watermark come into being too, and are computed then (they may hold earlier values).
 */
import { DAY_MS, HOUR_MS } from '../lib/time.ts';
import { AIR_VALIDITY, daysRequiredInMonth } from '../standards/air-statistics.ts';
import { endOfNaturalDay, lastDayOfMonth, naturalDayOf } from '../standards/natural-day.ts';

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
  const months = new Map<string, Period>();
  const years = new Map<string, Period>();
  for (const end of dayList) {
    const day = naturalDayOf(new Date(end));
    const month = day.slice(0, 7);
    const year = day.slice(0, 4);
    if (!months.has(month)) months.set(month, monthPeriod(month));
    if (!years.has(year)) years.set(year, yearPeriod(year));
  }
  return { moving, days: dayList, months: [...months.values()], years: [...years.values()] };
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

/** The end of the natural day an hour end belongs to. */
export function dayEndOf(hourEnd: number): number {
  return endOfNaturalDay(naturalDayOf(new Date(hourEnd))).getTime();
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
