/**
 * Says what is wrong with a 5-field cron expression (minute hour day-of-month month day-of-week), so that a
 * schedule error in a configuration file names the field and the value rather than "invalid". Accepts the usual
 * forms: `*`, numbers, names (jan…dec, sun…sat, case-insensitive), ranges `a-b`, steps `*\/n` and `a-b/n`, lists,
 * and `?` for either day field. Day-of-week 0 and 7 are both Sunday. A range must run forwards (node-cron would
 * wrap `22-2` round midnight; written out, `22-23,0-2` says what is meant).
 */
import { didYouMean } from '../lib/near-miss.ts';

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset of the first name: jan is month 1, sun is day 0. */
  firstNamed?: number;
  nameKind?: string;
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthsLong = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const daysLong = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const fields: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: months, firstNamed: 1, nameKind: 'month' },
  { name: 'day-of-week', min: 0, max: 7, names: days, firstNamed: 0, nameKind: 'day' },
];

/** Longest day of each month (February 29 in leap years). */
const longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** What is wrong with the expression, or null when it is a valid 5-field expression. */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== fields.length) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  const values: (Set<number> | null)[] = [];
  for (const [i, field] of fields.entries()) {
    const result = fieldValues(parts[i] ?? '', field);
    if (typeof result === 'string') return result;
    values.push(result);
  }
  // A day of the month that none of the months has (30 February) means the schedule never runs.
  const dayValues = values[2];
  const monthValues = values[3];
  if (dayValues && monthValues && ![...monthValues].some((m) => [...dayValues].some((d) => d <= (longestMonth[m - 1] ?? 31)))) {
    return `day-of-month ${parts[2]} never comes in month ${parts[3]}, so it would never run`;
  }
  return null;
}

/** The values a field allows (null for `*` / `?`), or what is wrong with it. */
function fieldValues(text: string, field: Field): Set<number> | null | string {
  if (text === '?' && (field.name === 'day-of-month' || field.name === 'day-of-week')) return null;
  const all = new Set<number>();
  let everything = false;
  for (const item of text.split(',')) {
    const [rangeText = '', stepText, ...extra] = item.split('/');
    if (extra.length > 0 || rangeText === '') return `${field.name} "${item}" is not a cron field value`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return `${field.name} step "${stepText}" is not a number`;
      step = Number(stepText);
      if (step < 1) return `${field.name} step ${stepText} must be at least 1`;
    }
    let first: number;
    let last: number;
    if (rangeText === '*') {
      if (stepText === undefined) everything = true;
      [first, last] = [field.min, field.max];
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) return `${field.name} "${rangeText}" is not a cron field value`;
      const low = valueOf(bounds[0] ?? '', field);
      if (typeof low === 'string') return low;
      const high = bounds.length === 2 ? valueOf(bounds[1] ?? '', field) : stepText === undefined ? low : field.max;
      if (typeof high === 'string') return high;
      if (high < low) return `${field.name} range ${rangeText} runs backwards (write ${bounds[0]}-${field.max},${field.min}-${bounds[1]})`;
      [first, last] = [low, high];
    }
    for (let v = first; v <= last; v += step) all.add(field.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return everything ? null : all;
}

function valueOf(text: string, field: Field): number | string {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < field.min || value > field.max) return `${field.name} ${text} is out of range ${field.min}–${field.max}`;
    return value;
  }
  const lower = text.toLowerCase();
  if (field.names) {
    const long = field.nameKind === 'month' ? monthsLong : daysLong;
    const index = field.names.indexOf(lower) >= 0 ? field.names.indexOf(lower) : long.indexOf(lower);
    if (index >= 0) return index + (field.firstNamed ?? 0);
    const hint = didYouMean(lower, field.names);
    return `unknown ${field.nameKind ?? field.name} name "${text}"${hint ? `; ${hint}` : ''}`;
  }
  return `${field.name} "${text}" is not a number`;
}
