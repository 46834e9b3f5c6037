/**
 * Hourly values derived from minute data (HJ 212 CN 2011 real-time samples, CN 2051 minute data). An hour is named
 * by its end, Beijing time: the 10:00 value covers 09:00–10:00, i.e. the minutes starting in [09:00, 10:00).
 *
 * - Validity: GB 3095-2012 Table 4 (and GB 3095-2026 §6 Table 4, unchanged) asks for at least 45 minutes of sampling
 *   in an hour for an hourly mean. Only minutes flagged N count (a flagged value is a missing value for every
 *   statistic in envmon); a value of a CN 2051 interval of k minutes counts k minutes.
 * - Value: the time-weighted mean of the N minutes (plain mean for one-minute data), exact, rounded by GB/T 8170 to
 *   the digits envmon publishes for the parameter.
 * - Flag: N for a valid hour. An hour that is not valid gets no value; its flag is the flag that covers most of its
 *   non-N minutes (ties: alphabetical), or N when every minute it had was normal but there were too few.
 */
import { decimalPlaces, divideRounded, toScaled } from '../lib/decimal.ts';
import { HOUR_MS } from '../lib/time.ts';

/** GB 3095-2012 Table 4: an hourly mean needs at least 45 minutes of sampling in the hour. */
export const MINUTES_FOR_VALID_HOUR = 45;

export interface MinuteValue {
  /** Minutes the value stands for (1 for one-minute data and real-time samples). */
  minutes: number;
  /** Canonical decimal. */
  value: string;
  flag: string;
}

export interface DerivedHour {
  valid: boolean;
  /** The hour's mean; null when the hour is not valid. */
  value: string | null;
  flag: string;
  /** Minutes of sampling flagged N, at most 60. */
  validMinutes: number;
  /** Minute values the hour had, of any flag. */
  minuteRows: number;
}

export function deriveHour(minutes: readonly MinuteValue[], digits: number): DerivedHour {
  const normal = minutes.filter((m) => m.flag === 'N');
  const covered = normal.reduce((n, m) => n + m.minutes, 0);
  const validMinutes = Math.min(60, covered);
  if (validMinutes >= MINUTES_FOR_VALID_HOUR) {
    const scale = Math.max(...normal.map((m) => decimalPlaces(m.value)));
    const weighted = normal.reduce((s, m) => s + toScaled(m.value, scale) * BigInt(m.minutes), 0n);
    return { valid: true, value: divideRounded(weighted, BigInt(covered), scale, digits), flag: 'N', validMinutes, minuteRows: minutes.length };
  }
  return { valid: false, value: null, flag: dominantFlag(minutes), validMinutes, minuteRows: minutes.length };
}

/** The non-N flag covering most minutes (ties: alphabetical); N when there is none. */
function dominantFlag(minutes: readonly MinuteValue[]): string {
  const byFlag = new Map<string, number>();
  for (const m of minutes) if (m.flag !== 'N') byFlag.set(m.flag, (byFlag.get(m.flag) ?? 0) + m.minutes);
  let best = 'N';
  let most = 0;
  for (const [flag, n] of [...byFlag].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n > most) [best, most] = [flag, n];
  }
  return best;
}

const MINUTE_MS = 60_000;

/**
 * Where a minute reading belongs: the start of the minutes it stands for (`intervalMinutes` before its interval
 * end; a real-time sample, interval 0, stands for the minute it was taken in), how many minutes, and the end of
 * its hour.
 */
export function minuteSlot(observedAt: string, intervalMinutes: number | undefined): { start: Date; minutes: number; hourEnd: Date } {
  const interval = intervalMinutes ?? 1;
  const end = Date.parse(observedAt);
  const start = Math.floor((end - interval * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  // Whole hours in UTC are whole hours in Beijing time (UTC+8).
  const hourEnd = Math.floor(start / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { start: new Date(start), minutes: Math.max(1, interval), hourEnd: new Date(hourEnd) };
}
