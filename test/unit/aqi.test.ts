import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../lib/csv.ts';
import { categoryOf, dailyAqi, editionForDay, editionForHour, hourlyAqi, iaqi, pollutants, type Pollutant } from '../../standards/aqi.ts';

const sample = path.resolve(import.meta.dirname, '../fixtures/cnemc/2022-03-07T12-north.csv');
const [header = '', ...rows] = readFileSync(sample, 'utf8').trim().split(/\r?\n/);
const columns = splitCsvLine(header) ?? [];
const records = rows.map((line) => Object.fromEntries((splitCsvLine(line) ?? []).map((c, i) => [columns[i] ?? '', c])));
const names: Record<string, Pollutant> = { '细颗粒物(PM2.5)': 'pm2_5', '颗粒物(PM10)': 'pm10', 二氧化硫: 'so2', 二氧化氮: 'no2', 一氧化碳: 'co', 臭氧1小时: 'o3', 臭氧8小时: 'o3' };

describe('hourly AQI against the national platform (HJ 633-2012, CNEMC sample 2022-03-07 12:00)', () => {
  const computed = records.map((r) => ({
    r,
    result: hourlyAqi('HJ 633-2012', Object.fromEntries(pollutants.flatMap((p) => {
      // The platform's hourly O3 is in the column labelled o3_24h.
      const v = r[p === 'o3' ? 'o3_24h' : p] ?? '';
      return v === '' ? [] : [[p, v]];
    }))),
  }));

  it('equals the published AQI on every row that has one', () => {
    const published = computed.filter(({ r }) => r.aqi !== '');
    expect(published.length).toBe(74);
    expect(published.map(({ r, result }) => [r.stationcode, result.aqi])).toEqual(published.map(({ r }) => [r.stationcode, Number(r.aqi)]));
  });

  it('names the same primary pollutants', () => {
    const published = computed.filter(({ r }) => r.aqi !== '');
    // 74 rows with an AQI, 36 of them above 50 and so with a primary pollutant (counted in the CSV).
    expect(published).toHaveLength(74);
    expect(published.filter(({ r }) => r.primarypollutant !== '')).toHaveLength(36);
    for (const { r, result } of published) {
      const expected = (r.primarypollutant ?? '').split(',').filter(Boolean).map((n) => names[n]).sort();
      expect(result.primaryPollutants.slice().sort(), r.stationcode).toEqual(expected);
    }
  });

  it('gives no AQI where the platform published none (a pollutant missing)', () => {
    const unpublished = computed.filter(({ r }) => r.aqi === '');
    expect(unpublished).toHaveLength(88 - 74);
    for (const { r, result } of unpublished) expect(result.aqi, r.stationcode).toBeNull();
  });
});

describe('IAQI (HJ 633 Table 1)', () => {
  const pm25v2012 = [0, 35, 75, 115, 150, 250, 350, 500];
  it('is exact on breakpoints and rounds up between them', () => {
    expect(iaqi('35', pm25v2012)).toBe(50);
    expect(iaqi('75', pm25v2012)).toBe(100);
    // 50 + 50/40 × (76 − 75) = 101.25 → 102
    expect(iaqi('76', pm25v2012)).toBe(102);
    // 50/35 × 1 = 1.43 → 2
    expect(iaqi('1', pm25v2012)).toBe(2);
    expect(iaqi('0', pm25v2012)).toBe(0);
    expect(iaqi('900', pm25v2012)).toBe(500);
  });

  it('uses the tighter 2026 PM breakpoints from 2026-03-01', () => {
    expect(editionForHour(new Date('2026-03-01T00:00:00+08:00'))).toBe('HJ 633-2012');
    expect(editionForHour(new Date('2026-03-01T01:00:00+08:00'))).toBe('HJ 633-2026');
    expect(editionForDay('2026-02-28')).toBe('HJ 633-2012');
    expect(editionForDay('2026-03-01')).toBe('HJ 633-2026');
    const day = { pm2_5: '60', pm10: '40', so2: '5', no2: '20', co: '0.5', o3_8h: '80' };
    // 2026 PM2.5 24-hour breakpoints 0, 35, 60, 115 …: 60 is the IAQI 100 breakpoint (2012: 75).
    expect(dailyAqi('HJ 633-2026', day)).toMatchObject({ aqi: 100, primaryPollutants: ['pm2_5'], overStandardPollutants: [] });
    // Under 2012 the same day: PM2.5 60 → 50 + 50/40 × 25 = 81.25 → 82.
    expect(dailyAqi('HJ 633-2012', day)).toMatchObject({ aqi: 82, primaryPollutants: ['pm2_5'] });
  });
});

describe('AQI categories (HJ 633 Table 2)', () => {
  it('puts each upper bound in its own category', () => {
    expect([50, 51, 100, 101, 150, 151, 200, 201, 300, 301].map((aqi) => categoryOf(aqi).nameZh)).toEqual(
      ['优', '良', '良', '轻度污染', '轻度污染', '中度污染', '中度污染', '重度污染', '重度污染', '严重污染'],
    );
  });
});

describe('table notes and missing pollutants', () => {
  const hour = { pm2_5: '20', pm10: '30', no2: '20', co: '0.4', o3: '50' };
  it('2012: SO2 above 800 μg/m³ is indexed on its 24-hour mean; 2026: IAQI 200', () => {
    // SO2 24-hour breakpoints 150 → IAQI 100, 475 → 150: 100 + 50/325 × (300 − 150) = 123.08 → 124.
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '900', so2_24h: '300' }).iaqi.so2).toBe(124);
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '900' }).aqi).toBeNull();
    // 800 itself is still on the 1-hour column: its last breakpoint, IAQI 200.
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '800' }).iaqi.so2).toBe(200);
    expect(hourlyAqi('HJ 633-2026', { ...hour, so2: '900' })).toMatchObject({ aqi: 200, primaryPollutants: ['so2'] });
  });

  it('2012: O3 8-hour above 800 is indexed on the 1-hour value; 2026: IAQI 300', () => {
    const day = { pm2_5: '20', pm10: '30', so2: '5', no2: '20', co: '0.4' };
    // O3 1-hour breakpoint 1000 μg/m³ is IAQI 400.
    expect(dailyAqi('HJ 633-2012', { ...day, o3_8h: '850', o3_1h: '1000' }).iaqi.o3).toBe(400);
    expect(dailyAqi('HJ 633-2026', { ...day, o3_8h: '850' }).iaqi.o3).toBe(300);
  });

  it('2012 counts the O3 daily maximum 1-hour value among the daily indicators; 2026 does not', () => {
    const day = { pm2_5: '20', pm10: '30', so2: '5', no2: '20', co: '0.4', o3_8h: '150', o3_1h: '250' };
    // 8-h 150 → 50 + 50/60 × 50 = 91.7 → 92; 1-h 250 → 100 + 50/100 × 50 = 125.
    expect(dailyAqi('HJ 633-2012', day)).toMatchObject({ aqi: 125, primaryPollutants: ['o3'], overStandardPollutants: ['o3'] });
    expect(dailyAqi('HJ 633-2026', day)).toMatchObject({ aqi: 92, primaryPollutants: ['o3'] });
  });

  it('2026 §5.3.1: with a pollutant missing, the AQI is published only above 100', () => {
    expect(hourlyAqi('HJ 633-2026', { pm2_5: '20', pm10: '30', no2: '20', co: '0.4', o3: '50' }).aqi).toBeNull();
    // SO2 missing. PM2.5 130 on the 2026 breakpoints 115 → 150, 150 → 200: 150 + 50/35 × 15 = 171.4 → 172 (中度污染
    // 151–200); the others are far lower (PM10 30, NO2 10, CO 4, O3 16).
    expect(hourlyAqi('HJ 633-2026', { pm2_5: '130', pm10: '30', no2: '20', co: '0.4', o3: '50' })).toMatchObject({ aqi: 172, category: { nameZh: '中度污染' } });
    expect(hourlyAqi('HJ 633-2012', { pm2_5: '130', pm10: '30', no2: '20', co: '0.4', o3: '50' }).aqi).toBeNull();
  });

  it('rounds concentrations by GB/T 8170 before indexing', () => {
    // 35.5 → 36 (half to even), so IAQI 51.25 → 52; 34.5 → 34 → 48.6 → 49.
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '5', pm2_5: '35.5' }).iaqi.pm2_5).toBe(52);
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '5', pm2_5: '34.5' }).iaqi.pm2_5).toBe(49);
    // CO to one decimal: 2.45 → 2.4 (half to even), so on the 1-hour breakpoints 0 → 5 mg/m³: 50/5 × 2.4 = 24.
    expect(hourlyAqi('HJ 633-2012', { ...hour, so2: '5', co: '2.45' }).iaqi.co).toBe(24);
  });
});
