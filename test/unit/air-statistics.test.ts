import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annualMean, dailyMean, exactMean, o3DailyMax8h, percentile } from '../../standards/air-statistics.ts';

describe('means and validity (GB 3095 Table 4, HJ 663)', () => {
  it('rounds exact means by GB/T 8170, halves to even', () => {
    expect(exactMean(['2', '3'], 0)).toBe('2');
    expect(exactMean(['3', '4'], 0)).toBe('4');
    expect(exactMean(['0.6', '0.7'], 1)).toBe('0.6');
    expect(exactMean(['1', '2', '2'], 0)).toBe('2');
    // Published precision: whole μg/m³, CO to one decimal in mg/m³ (24 × 0.85 mg/m³ → 0.85 → 0.8).
    expect(dailyMean(Array<string>(24).fill('0.85'), 'co')).toEqual({ value: '0.8', validCount: 24, valid: true });
    expect(dailyMean(Array<string>(24).fill('36.5'), 'pm2_5')).toEqual({ value: '36', validCount: 24, valid: true });
  });

  it('needs 20 valid hours for a 24-hour mean', () => {
    const hours = Array.from({ length: 24 }, (_, i) => (i < 20 ? '10' : null));
    expect(dailyMean(hours, 'pm2_5')).toEqual({ value: '10', validCount: 20, valid: true });
    expect(dailyMean(hours.map((h, i) => (i === 0 ? null : h)), 'pm2_5')).toEqual({ value: null, validCount: 19, valid: false });
  });

  it('takes the O3 daily maximum 8-hour mean over the windows ending 08:00 … 24:00', () => {
    const hours = Array.from({ length: 24 }, (_, i) => String(i < 12 ? 40 : 120));
    // The best window is 17:00–24:00 (8 × 120); all 17 windows ending 08:00 … 24:00 are complete.
    expect(o3DailyMax8h(hours)).toEqual({ value: '120', validCount: 17, valid: true });
    // Six values make a valid 8-hour mean, five do not (GB 3095 Table 4): the 17:00–24:00 window holds six 200s.
    const gaps = hours.map((h, i) => (i === 16 || i === 17 ? null : i > 17 ? '200' : h));
    expect(o3DailyMax8h(gaps)).toEqual({ value: '200', validCount: 17, valid: true });
    // A third gap (the 19:00 value): the windows ending 19:00 … 24:00 hold five values each and do not count, so
    // 11 windows remain; the best ends 18:00: 40, 40, four 120s and two gaps → 560 / 6 = 93.3 → 93.
    expect(o3DailyMax8h(gaps.map((h, i) => (i === 18 ? null : h)))).toEqual({ value: '93', validCount: 11, valid: true });
  });

  it('computes percentiles by the HJ 663 method', () => {
    // Sorted 2, 3, 4, 4, 5, 8: k = 1 + 5 × 0.9 = 5.5 → X5 + (X6 − X5) × 0.5 = 5 + 3 × 0.5 = 6.5.
    expect(percentile(['3', '4', '8', '2', '5', '4'], 90, 1)).toBe('6.5');
    // k = 1 + 3 × 0.95 = 3.85 → 3 + (4 − 3) × 0.85 = 3.85, an exact half: to even, 3.8.
    expect(percentile(['1', '2', '3', '4'], 95, 1)).toBe('3.8');
  });
});

describe('Beijing 2016 (Dongsi): daily means and the annual mean from real data', () => {
  const lines = readFileSync(path.resolve(import.meta.dirname, '../../data/beijing-multisite/PRSA_Data_Dongsi_2016.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  // Hour-ending labels: hour h of date D closes D's h-th hour; hour 0 closes the previous day (its 24th value).
  const byDay = new Map<string, (string | null)[]>();
  for (const line of lines) {
    const c = line.split(',');
    const [y, m, d, h] = [Number(c[1]), Number(c[2]), Number(c[3]), Number(c[4])];
    const day = new Date(Date.UTC(y, m - 1, d) - (h === 0 ? 86_400_000 : 0)).toISOString().slice(0, 10);
    const slot = h === 0 ? 23 : h - 1;
    const hours = byDay.get(day) ?? Array<string | null>(24).fill(null);
    hours[slot] = c[5] === 'NA' ? null : (c[5] ?? null);
    byDay.set(day, hours);
  }
  const days2016 = [...byDay.entries()].filter(([day]) => day.startsWith('2016-'));

  it('has every natural day of 2016', () => {
    expect(days2016).toHaveLength(366);
  });

  it('computes each valid daily PM2.5 mean as an independent float computation, rounded half-even, would', () => {
    let checked = 0;
    for (const [day, hours] of days2016) {
      const present = hours.filter((h): h is string => h !== null).map(Number);
      const result = dailyMean(hours, 'pm2_5');
      expect(result.valid, day).toBe(present.length >= 20);
      if (!result.valid) continue;
      // Integer inputs: the mean is sum / n exactly; half-even on that rational.
      const sum = present.reduce((a, b) => a + b, 0);
      const floor = Math.floor(sum / present.length);
      const twice = 2 * (sum - floor * present.length);
      const expected = twice > present.length || (twice === present.length && floor % 2 === 1) ? floor + 1 : floor;
      expect(result.value, day).toBe(String(expected));
      checked++;
    }
    // Counted in the CSV apart from envmon: 344 days of 2016 have at least 20 PM2.5 hours.
    expect(checked).toBe(344);
  });

  it('gives an annual mean only with at least 324 valid days', () => {
    const daily = days2016.map(([, hours]) => dailyMean(hours, 'pm2_5').value);
    // Computed from the CSV apart from envmon (exact fractions): 344 days with ≥ 20 hours, their half-even integer
    // means sum to 27773, and 27773 / 344 = 80.7 → 81 μg/m³.
    expect(annualMean(daily, 'pm2_5')).toEqual({ value: '81', validCount: 344, valid: true });
    // Without the first 21 of those days, 323 remain: one short of GB 3095 Table 4's 324.
    let dropped = 0;
    const fewer = daily.map((d) => (d !== null && dropped < 21 ? (dropped++, null) : d));
    expect(annualMean(fewer, 'pm2_5')).toEqual({ value: null, validCount: 323, valid: false });
  });
});
