/**
 * Times typed by people (command-line options, query strings, configuration dates). A time without a zone is
 * Beijing time (UTC+8, no daylight saving), as every label in China's monitoring network; `Z` or an offset such as
 * `+08:00` says otherwise. Impossible dates and times are refused with the reason instead of being rolled over
 * (JavaScript's Date turns 2026-11-31 into 2026-12-01). 24:00 is the end of a day, as hour-ending labels use it.
 */
import { BEIJING_OFFSET_MS, HOUR_MS } from './time.ts';

export interface TimeInput {
  /** The instant meant: for a date alone, 00:00 Beijing time starting that date. */
  instant: Date;
  /** The date (YYYY-MM-DD) when only a date was given: it stands for the whole natural day. */
  date: string | null;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const TIME_FORMAT = 'YYYY-MM-DD or YYYY-MM-DDTHH:MM (Beijing time unless it ends in Z or an offset such as +08:00)';

const pattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Days in a month of a year (Gregorian). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why a calendar date does not exist (`November has 30 days`), or null when it does. */
export function dateProblem(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return 'months run 01–12';
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return month === 2 ? `February ${year} has ${days} days` : `${monthNames[month - 1] ?? ''} has ${days} days`;
  return null;
}

/** Parses a typed time, or says why it is not one. */
export function parseTimeInput(text: string): TimeInput | { error: string } {
  const m = pattern.exec(text.trim());
  if (!m) return { error: `not a time; give ${TIME_FORMAT}` };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const badDate = dateProblem(year, month, day);
  if (badDate) return { error: `no such date (${badDate})` };
  const dateOnly = m[4] === undefined;
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0))) return { error: 'no such time (hours run 00–23, and 24:00 ends a day)' };
  if (minute > 59) return { error: 'no such time (minutes run 00–59)' };
  if (second > 59) return { error: 'no such time (seconds run 00–59)' };
  let offsetMs = BEIJING_OFFSET_MS;
  const zone = m[7];
  if (zone && zone.toUpperCase() === 'Z') offsetMs = 0;
  else if (zone) {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 14 || minutes > 59) return { error: `no such time zone offset "${zone}"` };
    offsetMs = (digits.startsWith('-') ? -1 : 1) * (hours * HOUR_MS + minutes * 60_000);
  }
  const instant = new Date(Date.UTC(year, month - 1, day) + hour * HOUR_MS + minute * 60_000 + second * 1000 - offsetMs);
  return { instant, date: dateOnly ? `${m[1]}-${m[2]}-${m[3]}` : null };
}

