/**
 * When two values of a series are consecutive. Persistence (`forEvaluations`) counts consecutive breaching values,
 * and a gap in the data breaks the count: two breaches with an expected value missing between them are not
 * consecutive.
 *
 * The expected spacing of a rule's values:
 * - 8- and 24-hour moving means end every hour: the next valid window is expected one hour later (a window too
 *   short of data to be valid is missing, so it is a gap);
 * - natural-day values: one day later;
 * - hourly values (`1h` thresholds) and water sections' samples: the series' own sampling interval — the median
 *   interval between its samples over the week before the values judged (1 h for an hourly station, 4 h for a
 *   river section sampled every 4 hours). A value later than that after the previous one follows a gap.
 */
import { DAY_MS, HOUR_MS } from '../lib/time.ts';

/** How far back the samples that set a series' sampling interval are read. */
export const SPACING_LOOKBACK_MS = 7 * DAY_MS;

/** The expected spacing of a rolling window's values. */
export function windowSpacing(window: '8h' | '24h' | 'day'): number {
  return window === 'day' ? DAY_MS : HOUR_MS;
}

/**
 * The median interval between consecutive sample times (the lower median, so of 1 h and 4 h intervals in equal
 * number the shorter); undefined with fewer than two samples. A missing sample or two do not change it.
 */
export function expectedSpacing(times: readonly number[]): number | undefined {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const intervals = sorted.slice(1).map((t, i) => t - (sorted[i] as number)).sort((a, b) => a - b);
  return intervals[Math.floor((intervals.length - 1) / 2)];
}
