import { describe, expect, it } from 'vitest';
import { airFigures, areaDays, o3DayCounts, percentChange, pointChange, requiredDays, standardOf, type AssessmentDay } from '../../standards/air-assessment.ts';
import type { DailyConcentrations } from '../../standards/aqi.ts';

/** A clean day: every IAQI small except what `over` sets (PM2.5 35 → IAQI 50 under both editions). */
const clean: DailyConcentrations = { so2: '5', no2: '10', pm10: '20', pm2_5: '35', co: '0.4', o3_8h: '30' };
const day = (d: string, over: DailyConcentrations = {}): AssessmentDay => ({ day: d, values: { ...clean, ...over } });
const daysOf = (month: string, n: number, over: (i: number) => DailyConcentrations = () => ({})) =>
  Array.from({ length: n }, (_, i) => day(`${month}-${String(i + 1).padStart(2, '0')}`, over(i)));

describe('required daily values (GB 3095-2012 Table 4, pro rata for other spans)', () => {
  it('a year 324, a month 27, February 25, a quarter the sum of its months, a partial month pro rata rounded up', () => {
    expect(requiredDays('2025-01-01', '2025-12-31')).toBe(324);
    expect(requiredDays('2025-03-01', '2025-03-31')).toBe(27);
    expect(requiredDays('2025-02-01', '2025-02-28')).toBe(25);
    expect(requiredDays('2024-02-01', '2024-02-29')).toBe(25);
    // 27 + 25 + 27
    expect(requiredDays('2025-01-01', '2025-03-31')).toBe(79);
    // ⌈27 × 15 / 31⌉ = ⌈13.06⌉ = 14
    expect(requiredDays('2025-01-01', '2025-01-15')).toBe(14);
    // across a year: December 20–31 ⌈27 × 12 / 31⌉ = ⌈10.45⌉ = 11, January 1–10 ⌈27 × 10 / 31⌉ = ⌈8.71⌉ = 9
    expect(requiredDays('2025-12-20', '2026-01-10')).toBe(20);
  });
});

describe('period concentrations', () => {
  it('February needs 25 daily values: 25 are valid, 24 are shown invalid with their count and no composite index', () => {
    const enough = airFigures(daysOf('2025-02', 25), 28, 25);
    expect(enough.concentrations.pm2_5).toEqual({ value: '35', validCount: 25, required: 25, valid: true, statistic: 'mean' });
    const few = airFigures(daysOf('2025-02', 24), 28, 25);
    expect(few.concentrations.pm2_5).toEqual({ value: null, validCount: 24, required: 25, valid: false, statistic: 'mean' });
    expect(few.subIndices.pm2_5).toBeNull();
    expect(few.compositeIndex).toBeNull();
    expect(few.primaryPollutant).toBeNull();
  });

  it('means round half to even: SO2 2 and 3 → 2.5 → 2; NO2 3 and 4 → 3.5 → 4', () => {
    const f = airFigures([day('2025-03-01', { so2: '2', no2: '3' }), day('2025-03-02', { so2: '3', no2: '4' })], 2, 2);
    expect(f.concentrations.so2.value).toBe('2');
    expect(f.concentrations.no2.value).toBe('4');
  });

  it('CO 95th percentile by HJ 663 interpolation, rounded half to even', () => {
    // sorted 0.8, 1.0, 1.5: k = 1 + 2 × 0.95 = 2.9 → 1.0 + 0.9 × 0.5 = 1.45 → 1.4 (half to even)
    const f = airFigures([day('2025-03-01', { co: '1.5' }), day('2025-03-02', { co: '0.8' }), day('2025-03-03', { co: '1.0' })], 3, 3);
    expect(f.concentrations.co).toMatchObject({ value: '1.4', statistic: 'p95' });
  });

  it('O3 90th percentile by HJ 663 interpolation', () => {
    // 10 values 100, 110, …, 190: k = 1 + 9 × 0.9 = 9.1 → 180 + 0.1 × 10 = 181
    const f = airFigures(daysOf('2025-06', 10, (i) => ({ o3_8h: String(100 + 10 * i) })), 10, 10);
    expect(f.concentrations.o3_8h).toMatchObject({ value: '181', statistic: 'p90' });
    // 4 values 150, 151, 152, 153: k = 1 + 3 × 0.9 = 3.7 → 152 + 0.7 = 152.7 → 153
    const g = airFigures(daysOf('2025-06', 4, (i) => ({ o3_8h: String(150 + i) })), 4, 4);
    expect(g.concentrations.o3_8h.value).toBe('153');
  });
});

describe('composite index', () => {
  it('sums C/S with S = 60, 40, 70, 35, 4, 160; equal largest sub-indices are all primary', () => {
    // 6/60 = 0.1, 40/40 = 1, 70/70 = 1, 35/35 = 1, 1.2/4 = 0.3, 160/160 = 1 → 4.40
    const f = airFigures([day('2025-03-01', { so2: '6', no2: '40', pm10: '70', pm2_5: '35', co: '1.2', o3_8h: '160' })], 1, 1);
    expect(f.subIndices).toEqual({ so2: '0.1', no2: '1', pm10: '1', pm2_5: '1', co: '0.3', o3_8h: '1' });
    expect(f.compositeIndex).toBe('4.4');
    expect(f.primaryPollutant).toEqual(['no2', 'pm10', 'pm2_5', 'o3_8h']);
  });

  it('rounds sub-indices half to even and the composite once from the exact sub-indices', () => {
    // 41/40 = 1.025 → 1.02; 1.1/4 = 0.275 → 0.28; 10/60 = 0.1667 → 0.17; 71/70 = 1.0143 → 1.01; 36/35 = 1.0286 → 1.03;
    // 161/160 = 1.00625 → 1.01. Exact sum 0.16667 + 1.025 + 1.01429 + 1.02857 + 0.275 + 1.00625 = 4.51577 → 4.52.
    const f = airFigures([day('2025-03-01', { so2: '10', no2: '41', pm10: '71', pm2_5: '36', co: '1.1', o3_8h: '161' })], 1, 1);
    expect(f.subIndices).toEqual({ so2: '0.17', no2: '1.02', pm10: '1.01', pm2_5: '1.03', co: '0.28', o3_8h: '1.01' });
    expect(f.compositeIndex).toBe('4.52');
    expect(f.primaryPollutant).toEqual(['pm2_5']);
  });

  it('differs from the sum of the rounded sub-indices when their rounding errors add up', () => {
    // 1/60 = 0.016667 → 0.02, 1/40 = 0.025 → 0.02, 1/70 = 0.014286 → 0.01, 1/35 = 0.028571 → 0.03, 0.1/4 = 0.025 → 0.02,
    // 1/160 = 0.00625 → 0.01: rounded parts sum to 0.11, the exact sum 0.115774 rounds to 0.12.
    const f = airFigures([day('2025-03-01', { so2: '1', no2: '1', pm10: '1', pm2_5: '1', co: '0.1', o3_8h: '1' })], 1, 1);
    expect(f.subIndices).toEqual({ so2: '0.02', no2: '0.02', pm10: '0.01', pm2_5: '0.03', co: '0.02', o3_8h: '0.01' });
    expect(f.compositeIndex).toBe('0.12');
  });
});

describe('day counts', () => {
  it('counts good (AQI ≤ 100), heavy (AQI > 200), categories and primary pollutants, each day by its edition', () => {
    const f = airFigures(
      [
        day('2026-02-27'), // PM2.5 35 → AQI 50, 优, no primary pollutant
        day('2026-02-28', { pm2_5: '75' }), // 2012: PM2.5 75 → 100, 良, good, primary PM2.5
        day('2026-03-01', { pm2_5: '75' }), // 2026: 100 + 50 × 15 / 55 = 113.6 → 114, 轻度污染
        day('2026-03-02', { pm2_5: '151' }), // 2026: 150→200 … 250→300: 200 + 1 = 201, 重度污染, heavy
        { day: '2026-03-03', values: { so2: '5' } }, // no AQI
      ],
      5,
      1,
    );
    expect(f).toMatchObject({ days: 5, validDays: 4, goodDays: 2, goodRatio: '50', heavyDays: 1, heavyRatio: '25' });
    expect(f.categories).toEqual({ 优: 1, 良: 1, 轻度污染: 1, 中度污染: 0, 重度污染: 1, 严重污染: 0 });
    expect(f.primaryPollutantDays).toEqual({ pm2_5: 3 });
  });

  it('good-day ratio to one decimal, half to even: 2 of 3 → 66.7; 1 of 8 → 12.5', () => {
    expect(airFigures([day('2025-03-01'), day('2025-03-02'), day('2025-03-03', { pm2_5: '200' })], 3, 1).goodRatio).toBe('66.7');
    expect(airFigures(daysOf('2025-03', 8, (i) => (i === 0 ? {} : { pm2_5: '200' })), 8, 1).goodRatio).toBe('12.5');
  });
});

describe('O3 daily maximum 8-h validity', () => {
  it('counts with 14 valid windows, or fewer when above 160', () => {
    expect(o3DayCounts('150', 14)).toBe(true);
    expect(o3DayCounts('150', 13)).toBe(false);
    expect(o3DayCounts('161', 3)).toBe(true);
    expect(o3DayCounts('160', 13)).toBe(false);
    expect(o3DayCounts(null, 17)).toBe(false);
  });
});

describe('changes and areas', () => {
  it('percent change one decimal, good-ratio change in points', () => {
    // (4.4 − 5) / 5 = −12 %; (35 − 33) / 33 = 6.06 % → 6.1
    expect(percentChange('4.4', '5')).toBe('-12');
    expect(percentChange('35', '33')).toBe('6.1');
    expect(percentChange('1', '0')).toBeNull();
    expect(pointChange('80.5', '75')).toBe('5.5');
    expect(pointChange(null, '75')).toBeNull();
  });

  it('area day = mean of the sites with a value that day, rounded half to even', () => {
    const a = [{ day: '2025-03-01', values: { pm2_5: '10', co: '0.5' } }];
    const b = [{ day: '2025-03-01', values: { pm2_5: '11' } }, { day: '2025-03-02', values: { pm2_5: '20' } }];
    // (10 + 11) / 2 = 10.5 → 10; CO only from A
    expect(areaDays([a, b])).toEqual([
      { day: '2025-03-01', values: { pm2_5: '10', co: '0.5' } },
      { day: '2025-03-02', values: { pm2_5: '20' } },
    ]);
  });

  it('names the editions and notes a period across 2026-03-01', () => {
    expect(standardOf('2025-01-01', '2025-12-31')).toEqual({ editions: ['HJ 633-2012'], note: null });
    const across = standardOf('2026-02-01', '2026-03-31');
    expect(across.editions).toEqual(['HJ 633-2012', 'HJ 633-2026']);
    expect(across.note).toContain('2026-03-01');
  });
});
