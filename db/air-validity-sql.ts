/**
 * The air statistics' minimum data (GB 3095 Table 4) and the O3 day's windows, as SQL text for the statements that
 * store and recompute windows (db/repositories/aggregates*.ts). Generated from standards/air-statistics.ts, the
 * reference those statements are tested against (test/integration/air-statistics-sql.test.ts), so the numbers
 * are written down once. Literals rather than bound values: they are constants of the statement, and the planner
 * sees them as such.
 */
import { sql, type RawBuilder } from 'kysely';
import { AIR_VALIDITY, O3_DAY_FIRST_WINDOW_END_HOUR } from '../standards/air-statistics.ts';

/** Valid hours an 8-hour moving mean needs. */
export const HOURS_PER_8H = sql.lit(AIR_VALIDITY.hoursPer8h);
/** Valid hours a 24-hour mean and a natural day need. */
export const HOURS_PER_DAY = sql.lit(AIR_VALIDITY.hoursPerDay);
/** Daily values a calendar year needs. */
export const DAYS_PER_YEAR = sql.lit(AIR_VALIDITY.daysPerYear);
/** Daily values the calendar month `month` (an SQL expression, 1–12) needs: fewer in February. */
export const daysPerMonth = (month: RawBuilder<unknown>) => sql`case when ${month} = 2 then ${sql.lit(AIR_VALIDITY.daysPerFebruary)} else ${sql.lit(AIR_VALIDITY.daysPerMonth)} end`;
/**
 * From the end of a natural day (24:00) back to the end of its first O3 8-hour window (08:00): 16 hours. An O3
 * day's windows end in [day end − this, day end].
 */
export const O3_FIRST_WINDOW_BEFORE_DAY_END = sql`interval '${sql.raw(String(24 - O3_DAY_FIRST_WINDOW_END_HOUR))} hours'`;
/** The first hour of the day (1 = the 01:00 value) whose 8-hour window counts for the O3 day. */
export const O3_FIRST_WINDOW_END_HOUR = sql.lit(O3_DAY_FIRST_WINDOW_END_HOUR);
