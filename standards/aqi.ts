/**
 * Air Quality Index by HJ 633, in the edition in force at the time of the data: HJ 633-2012 until 2026-02-28,
 * HJ 633-2026 from 2026-03-01 (tighter PM breakpoints, new missing-pollutant rule). Breakpoints and categories
 * come from the standards' tables (standards/data/). Concentrations are rounded by GB/T 8170 before the index
 * (μg/m³ to integers, CO mg/m³ to one decimal; HJ 633-2026 §4.2.2) and each IAQI is rounded up (HJ 633-2012 §6.2,
 * HJ 633-2026 §4.2.6), computed in exact integer arithmetic so a value on a breakpoint never rounds past it.
 */
import hj633v2012 from './data/hj633-2012-aqi.json' with { type: 'json' };
import hj633v2026 from './data/gb3095-2026-hj633-2026.json' with { type: 'json' };
import { roundHalfEven } from '../lib/decimal.ts';
import { compareExact } from '../lib/decimal-number.ts';

export type Pollutant = 'pm2_5' | 'pm10' | 'so2' | 'no2' | 'co' | 'o3';
export const pollutants: readonly Pollutant[] = ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3'];
export type AqiEdition = 'HJ 633-2012' | 'HJ 633-2026';

/** HJ 633-2026 takes effect 2026-03-01 (Beijing time): hours ending after 00:00 that day, and days from that day. */
const EDITION_2026_FROM = Date.parse('2026-03-01T00:00:00+08:00');

/** The edition for an hourly value, by the end of its hour. */
export function editionForHour(intervalEnd: Date): AqiEdition {
  return intervalEnd.getTime() > EDITION_2026_FROM ? 'HJ 633-2026' : 'HJ 633-2012';
}

/** The edition for a natural day (YYYY-MM-DD, Beijing). */
export function editionForDay(day: string): AqiEdition {
  return day >= '2026-03-01' ? 'HJ 633-2026' : 'HJ 633-2012';
}

type Breakpoints = readonly (number | null)[];
const levels: readonly number[] = hj633v2012.iaqiLevels;
const table = (rows: readonly { key: string; concentrations: readonly (number | null)[] }[]) => new Map(rows.map((r) => [r.key, r.concentrations]));
const bp2012 = table(hj633v2012.breakpoints);
const bp2026 = table(hj633v2026.hj633_2026.breakpoints);

function breakpoints(edition: AqiEdition, key: string): Breakpoints {
  // The 2012 file names the 24-hour columns `_24h`, the 2026 file `_daily`.
  const found = edition === 'HJ 633-2012' ? bp2012.get(key.replace('_daily', '_24h')) : bp2026.get(key.replace('_24h', '_daily'));
  if (!found) throw new Error(`no breakpoints ${key} in ${edition}`);
  return found;
}

/** Concentration as published: GB/T 8170 to an integer (μg/m³) or one decimal (CO, mg/m³). */
export function roundConcentration(pollutant: Pollutant, value: string): string {
  return roundHalfEven(value, pollutant === 'co' ? 1 : 0);
}

/**
 * IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo, rounded up (HJ 633 formula (1)).
 * Above the last breakpoint of a full column the index is 500, the top of the scale; a column that stops early
 * (SO2 1-hour and O3 8-hour end at 800 μg/m³) gives null there, for the table notes to decide. `value` is a
 * decimal with at most one decimal place.
 */
export function iaqi(value: string, bps: Breakpoints): number | null {
  const [whole = '0', frac = ''] = value.replace(/^-/, '').split('.');
  if (value.startsWith('-') || frac.length > 1) throw new Error(`concentration ${value} must be rounded first`);
  // Work in tenths so every quantity is an integer, and round up by integer division.
  const c = Number(whole) * 10 + Number(frac || '0');
  for (let i = 1; i < bps.length; i++) {
    const hi = bps[i];
    const lo = bps[i - 1];
    if (hi === null || hi === undefined || lo === null || lo === undefined) return null;
    if (c <= hi * 10) {
      const iLo = levels[i - 1] ?? 0;
      const iHi = levels[i] ?? 0;
      const num = (iHi - iLo) * (c - lo * 10);
      const den = (hi - lo) * 10;
      return iLo + Math.floor((num + den - 1) / den);
    }
  }
  return levels[levels.length - 1] ?? null;
}

export interface Category {
  level: number;
  nameZh: string;
  nameEn: string;
  colorZh: string;
  rgb: readonly [number, number, number];
  /** The same colour as CSS hex (#RRGGBB): HJ 633-2012 Appendix A Table A.1, the one source for every page and mail. */
  hex: string;
}

const categories: readonly Category[] = hj633v2012.categories.map((c) => ({ level: c.level, nameZh: c.nameZh, nameEn: c.nameEn, colorZh: c.colorZh, rgb: c.rgb as [number, number, number], hex: c.hex }));
const categoryMax = hj633v2012.categories.map((c) => c.aqiMax ?? Number.POSITIVE_INFINITY);

/** HJ 633 Table 2: 优 0–50, 良 51–100, 轻度污染 101–150, 中度污染 151–200, 重度污染 201–300, 严重污染 > 300. */
export function categoryOf(aqi: number): Category {
  const index = categoryMax.findIndex((max) => aqi <= max);
  return categories[index < 0 ? categories.length - 1 : index] as Category;
}

export interface AqiResult {
  /** null when the edition's rules give no AQI (a pollutant missing). */
  aqi: number | null;
  iaqi: Record<Pollutant, number | null>;
  category: Category | null;
  /** AQI > 50: the pollutant(s) with the largest IAQI (HJ 633-2012 §4.4.2, HJ 633-2026 §4.3.1). */
  primaryPollutants: Pollutant[];
  /** IAQI > 100 (HJ 633-2012 §3.4); the 2026 edition dropped the notion, so always empty there. */
  overStandardPollutants: Pollutant[];
  standard: AqiEdition;
}

export type Concentrations = Partial<Record<Pollutant, string>>;

/**
 * Hourly AQI. HJ 633-2012 as the national platform published it from 2014: PM10 and PM2.5 hourly concentrations
 * on the 24-hour breakpoints, SO2, NO2, CO and O3 hourly concentrations on the 1-hour breakpoints, no AQI when a
 * pollutant is missing; SO2 above 800 μg/m³ is indexed on its 24-hour mean (Table 1 note 2), given as `so2_24h`.
 * HJ 633-2026: the same columns with the new PM breakpoints; SO2 above 800 has IAQI 200 (Table 1 note b); with a
 * pollutant missing the AQI comes from the others and is published only when above 100 (§5.3.1).
 */
export function hourlyAqi(edition: AqiEdition, values: Concentrations & { so2_24h?: string }): AqiResult {
  const index: Record<Pollutant, number | null> = { pm2_5: null, pm10: null, so2: null, no2: null, co: null, o3: null };
  const rounded = (p: Pollutant, v: string | undefined) => (v === undefined ? undefined : roundConcentration(p, v));
  for (const p of pollutants) {
    const c = rounded(p, values[p]);
    if (c === undefined) continue;
    if (p === 'so2' && compareExact(c, 800) > 0) {
      const daily = rounded('so2', values.so2_24h);
      index.so2 = edition === 'HJ 633-2026' ? 200 : daily === undefined ? null : iaqi(daily, breakpoints(edition, 'SO2_24h'));
      continue;
    }
    const key = { pm2_5: 'PM2.5_24h', pm10: 'PM10_24h', so2: 'SO2_1h', no2: 'NO2_1h', co: 'CO_1h', o3: 'O3_1h' }[p];
    index[p] = iaqi(c, breakpoints(edition, key));
  }
  return result(edition, index);
}

export interface DailyConcentrations {
  pm2_5?: string;
  pm10?: string;
  so2?: string;
  no2?: string;
  co?: string;
  /** Daily maximum of the 8-hour moving means. */
  o3_8h?: string;
  /** Daily maximum hourly O3: a daily-report indicator in HJ 633-2012 §5.1.2, dropped in HJ 633-2026. */
  o3_1h?: string;
}

/**
 * Daily AQI from 24-hour means and the O3 daily maximum 8-hour mean — and, under HJ 633-2012, also the O3 daily
 * maximum 1-hour mean, which that edition lists among the daily indicators (§5.1.2). O3 8-hour above 800 μg/m³:
 * 2012 indexes O3 on its 1-hour value instead (Table 1 note 3); 2026 sets IAQI 300 (Table 1 note c).
 */
export function dailyAqi(edition: AqiEdition, values: DailyConcentrations): AqiResult {
  const index: Record<Pollutant, number | null> = { pm2_5: null, pm10: null, so2: null, no2: null, co: null, o3: null };
  const daily: Record<Exclude<Pollutant, 'o3'>, string> = { pm2_5: 'PM2.5_24h', pm10: 'PM10_24h', so2: 'SO2_24h', no2: 'NO2_24h', co: 'CO_24h' };
  for (const p of ['pm2_5', 'pm10', 'so2', 'no2', 'co'] as const) {
    const v = values[p];
    if (v !== undefined) index[p] = iaqi(roundConcentration(p, v), breakpoints(edition, daily[p]));
  }
  const o8 = values.o3_8h === undefined ? undefined : roundConcentration('o3', values.o3_8h);
  const o1 = values.o3_1h === undefined ? undefined : roundConcentration('o3', values.o3_1h);
  const o1Index = o1 === undefined ? null : iaqi(o1, breakpoints(edition, 'O3_1h'));
  if (edition === 'HJ 633-2026') {
    index.o3 = o8 === undefined ? null : compareExact(o8, 800) > 0 ? 300 : iaqi(o8, breakpoints(edition, 'O3_8h'));
  } else {
    const o8Index = o8 === undefined || compareExact(o8, 800) > 0 ? null : iaqi(o8, breakpoints(edition, 'O3_8h'));
    if (o8 !== undefined && compareExact(o8, 800) > 0) index.o3 = o1Index;
    else if (o8Index === null) index.o3 = null;
    else index.o3 = o1Index === null ? o8Index : Math.max(o8Index, o1Index);
  }
  return result(edition, index);
}

function result(edition: AqiEdition, index: Record<Pollutant, number | null>): AqiResult {
  const present = pollutants.filter((p) => index[p] !== null);
  const top = present.length === 0 ? null : Math.max(...present.map((p) => index[p] as number));
  const complete = present.length === pollutants.length;
  // 2012: every pollutant is needed. 2026 §5.3.1: computed from the others, published only above 100.
  const aqi = top === null ? null : complete ? top : edition === 'HJ 633-2026' && top > 100 ? top : null;
  return {
    aqi,
    iaqi: index,
    category: aqi === null ? null : categoryOf(aqi),
    primaryPollutants: aqi === null || aqi <= 50 ? [] : present.filter((p) => index[p] === top),
    overStandardPollutants: edition === 'HJ 633-2012' && aqi !== null ? present.filter((p) => (index[p] as number) > 100) : [],
    standard: edition,
  };
}
