/** Natural days in Beijing time: the 01:00 … 24:00 hourly values, i.e. intervals ending (00:00, 24:00]. */
import { BEIJING_OFFSET_MS, DAY_MS, HOUR_MS } from '../lib/time.ts';

/** The natural day (YYYY-MM-DD) an hour belongs to, by the end of the hour: 24:00 closes the day before. */
export function naturalDayOf(intervalEnd: Date): string {
  return new Date(intervalEnd.getTime() + BEIJING_OFFSET_MS - HOUR_MS).toISOString().slice(0, 10);
}

/** The UTC instant ending a natural day (24:00 Beijing time). */
export function endOfNaturalDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS - BEIJING_OFFSET_MS);
}

/** The last calendar day (YYYY-MM-DD) of a month (1–12; 0 is December of the year before). */
export function lastDayOfMonth(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}
