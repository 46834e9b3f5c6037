/**
 * Turns a source record into stored-form readings: known parameter, exact decimal in the parameter's canonical
 * unit, plausible value, interval end not in the future. Whatever fails is returned as a rejection with its reason
 * and raw input; the rest of the record goes on.
 */
import { findParameter } from '../standards/parameters.ts';
import { compareDecimal, parseDecimal } from '../lib/decimal.ts';
import { isCleanText, storableText } from '../lib/raw-text.ts';
import type { AveragingPeriod, RawReading, SourceRecord } from '../sources/source-adapter.ts';
import { plausibleRanges, sentinelValues } from './plausible-ranges.ts';
import { convertUnit } from './units.ts';

export interface NormalizedReading {
  site: string;
  parameter: string;
  period: AveragingPeriod;
  /** ISO instant of the interval end. */
  observedAt: string;
  /** Canonical decimal in `unit`. */
  value: string;
  unit: string;
  flag: string;
  /** Minute data only: see RawReading.intervalMinutes. */
  intervalMinutes?: number;
}

/** Why input was rejected, as a category that operators can count and filter by. */
export type RejectionCode =
  | 'malformed'
  | 'checksum'
  | 'unauthorized'
  | 'unknown_site'
  | 'unknown_parameter'
  | 'not_a_number'
  | 'no_data_marker'
  | 'unknown_unit'
  | 'out_of_range'
  | 'future_time'
  | 'invalid_time'
  /** Minute data of a UTC day whose minutes were already dropped (see store-batch). */
  | 'pruned_day';

export interface Rejection {
  code: RejectionCode;
  reason: string;
  /** The input as storable text: NUL, control characters and bytes that are not UTF-8 shown as `\xNN`. */
  raw: string;
  /** The exact input bytes (base64), when `raw` shows them escaped. */
  rawBytes?: string;
  detail?: Record<string, string>;
}

/** HJ 212 data flags are one letter (N, F, M, S, D, C, T, B); other feeds use one or two. */
const FLAG = /^[A-Za-z]{1,2}$/;

/** Interval ends may lie this far past the clock: station and logger clocks drift. */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

export interface NormalizeOptions {
  now: Date;
  /** How far past `now` an interval end may lie, in ms; default FUTURE_TOLERANCE_MS. */
  futureToleranceMs?: number;
}

export function normalizeRecord(record: SourceRecord, options: NormalizeOptions): { readings: NormalizedReading[]; rejections: Rejection[] } {
  if (record.problem) return { readings: [], rejections: [{ code: record.problemCode ?? 'malformed', reason: storableText(record.problem).text, ...storableRaw(record.raw) }] };
  const readings: NormalizedReading[] = [];
  const rejections: Rejection[] = [];
  // Most records are clean: the raw input is checked for what a text column cannot hold only once it is needed.
  let raw: Pick<Rejection, 'raw' | 'rawBytes'> | null = null;
  const reject = (r: RawReading, code: RejectionCode, reason: string) => {
    raw ??= storableRaw(record.raw);
    rejections.push({ code, reason: storableText(reason).text, ...raw, detail: readingDetail(r) });
  };
  const latest = options.now.getTime() + (options.futureToleranceMs ?? FUTURE_TOLERANCE_MS);
  // The readings of one record usually share their time: format it once.
  let lastTime: Date | null = null;
  let lastIso = '';

  for (const r of record.readings) {
    // Site codes and flags are stored and looked up as text: they must be text a database column can hold.
    if (r.site === '' || !isCleanText(r.site)) {
      reject(r, 'unknown_site', r.site === '' ? 'empty site code' : `site code "${r.site}" is not valid text`);
      continue;
    }
    const parameter = findParameter(r.parameter);
    if (!parameter) {
      reject(r, 'unknown_parameter', `unknown parameter "${r.parameter}"`);
      continue;
    }
    if (Number.isNaN(r.observedAt.getTime())) {
      reject(r, 'invalid_time', 'invalid time');
      continue;
    }
    if (r.observedAt.getTime() > latest) {
      reject(r, 'future_time', `time ${r.observedAt.toISOString()} is in the future`);
      continue;
    }
    const decimal = parseDecimal(r.value);
    if (decimal === null) {
      reject(r, 'not_a_number', `${parameter.code}: "${r.value}" is not a number`);
      continue;
    }
    if (sentinelValues.has(decimal)) {
      reject(r, 'no_data_marker', `${parameter.code}: ${decimal} is a no-data marker`);
      continue;
    }
    const value = convertUnit(decimal, r.unit, parameter.unit);
    if (value === null) {
      reject(r, 'unknown_unit', `${parameter.code}: unit "${r.unit}" cannot be converted to ${parameter.unit}`);
      continue;
    }
    const range = plausibleRanges[parameter.code];
    if (range && !withinRange(value, range)) {
      reject(r, 'out_of_range', `${parameter.code}: ${value} ${parameter.unit} is outside the plausible range ${range.min}–${range.max}`);
      continue;
    }
    const flag = r.flag ?? 'N';
    if (!FLAG.test(flag)) {
      reject(r, 'malformed', `${parameter.code}: data flag "${flag}" is not one or two letters`);
      continue;
    }
    if (r.observedAt !== lastTime) {
      lastTime = r.observedAt;
      lastIso = r.observedAt.toISOString();
    }
    const reading: NormalizedReading = { site: r.site, parameter: parameter.code, period: r.period, observedAt: lastIso, value, unit: parameter.unit, flag };
    if (r.intervalMinutes !== undefined) reading.intervalMinutes = r.intervalMinutes;
    readings.push(reading);
  }
  rejectSupersaturatedOxygen(readings, rejections, record);
  return { readings, rejections };
}

/**
 * Dissolved oxygen against its saturation at the water temperature reported with it: saturation (mg/L) ≈
 * 468 / (31.6 + T), the freshwater formula of China's water-quality practice. Algal blooms can push DO to about
 * twice saturation; beyond that the value is an instrument fault. Without a temperature the fixed range applies.
 */
function rejectSupersaturatedOxygen(readings: NormalizedReading[], rejections: Rejection[], record: SourceRecord): void {
  // Most records carry no water temperature: nothing to build for them.
  if (!readings.some((r) => r.parameter === 'water_temp')) return;
  const temperatures = new Map(readings.filter((r) => r.parameter === 'water_temp').map((r) => [`${r.site}|${r.observedAt}`, Number(r.value)]));
  if (temperatures.size === 0) return;
  for (let i = readings.length - 1; i >= 0; i--) {
    const r = readings[i];
    if (r?.parameter !== 'do') continue;
    const t = temperatures.get(`${r.site}|${r.observedAt}`);
    if (t === undefined || t <= -2) continue;
    const limit = 2 * (468 / (31.6 + t));
    if (Number(r.value) > limit) {
      readings.splice(i, 1);
      rejections.push({
        code: 'out_of_range',
        reason: `do: ${r.value} mg/L is more than twice saturation at ${t} °C (${limit.toFixed(1)} mg/L)`,
        ...storableRaw(record.raw),
        detail: { site: r.site, parameter: r.parameter, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag },
      });
    }
  }
}

/** The raw input of a rejection: storable text, with the exact bytes beside it when the text had to be escaped. */
export function storableRaw(raw: string): Pick<Rejection, 'raw' | 'rawBytes'> {
  const stored = storableText(raw);
  return stored.bytes ? { raw: stored.text, rawBytes: stored.bytes.toString('base64') } : { raw };
}

/** The rejected reading itself, kept with the quarantined input so it can be replayed once its cause is fixed. */
export function readingDetail(r: RawReading): Record<string, string> {
  const observedAt = Number.isNaN(r.observedAt.getTime()) ? '' : r.observedAt.toISOString();
  const detail = { site: r.site, parameter: r.parameter, period: r.period, observedAt, value: r.value, unit: r.unit, flag: r.flag ?? 'N' };
  // Stored as jsonb, which holds neither NUL nor undecodable bytes.
  return Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, storableText(v).text]));
}

/**
 * Exact range check on a canonical decimal. The float comparison decides whenever the value is clearly inside or
 * outside; only a value within rounding distance of a bound is compared digit by digit.
 */
function withinRange(value: string, range: { min: number; max: number }): boolean {
  const x = Number(value);
  const margin = 1e-9 * Math.max(1, Math.abs(x));
  if (x > range.min + margin && x < range.max - margin) return true;
  if (x < range.min - margin || x > range.max + margin) return false;
  return compareDecimal(value, String(range.min)) >= 0 && compareDecimal(value, String(range.max)) <= 0;
}
