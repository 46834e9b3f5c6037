/**
 * Time conventions of China's monitoring network.
 *
 * Readings are labelled hour-ending in Beijing time (UTC+8, no daylight saving): the 10:00 value covers
 * 09:00–10:00 and a natural day is the 01:00 … 24:00 values. envmon stores the end of each averaging interval
 * as a UTC instant and shows times in Asia/Shanghai.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Beijing time is UTC+8 all year; China has not observed daylight saving since 1991. */
export const BEIJING_OFFSET_MS = 8 * HOUR_MS;

/** Where a source's time label sits in its averaging interval. */
export type TimeLabel = 'hour-ending' | 'hour-beginning';

/**
 * The UTC instant that ends the interval a local wall-clock label refers to.
 * `offsetMs` is the source's fixed UTC offset (sources in China use +8 h).
 */
export function labelToIntervalEnd(
  local: { year: number; month: number; day: number; hour: number; minute?: number },
  offsetMs: number,
  label: TimeLabel,
  periodMs: number,
): Date {
  const wallClockAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute ?? 0);
  const instant = wallClockAsUtc - offsetMs;
  return new Date(label === 'hour-ending' ? instant : instant + periodMs);
}

/** Formats an instant as Beijing wall-clock time, e.g. `2016-03-01 10:00`. */
export function formatBeijing(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
