/** `envmon aqi` and `envmon stats` on the real Beijing data, checked against values computed here independently. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot } from '../support/test-service.ts';

const file = path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv');
let database: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  env = cleanEnv({ DATABASE_URL: database.url });
  const result = await runEnvmon(['import', file, '--format', 'csv', '--mapping', path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), '--json'], env);
  if (result.code !== 0) throw new Error(result.stderr);
});
afterAll(async () => {
  await database.drop();
});

const csvLines = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1);

/** The day's hourly values of one CSV column, in order 01:00 … 24:00 (hour 0 of the next date is 24:00). */
function dayColumn(day: string, column: number): (number | null)[] {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const hours = Array<number | null>(24).fill(null);
  for (const line of csvLines) {
    const c = line.split(',');
    const date = `${c[1]}-${String(c[2]).padStart(2, '0')}-${String(c[3]).padStart(2, '0')}`;
    const h = Number(c[4]);
    const slot = date === day && h > 0 ? h - 1 : date === next && h === 0 ? 23 : -1;
    if (slot >= 0) hours[slot] = c[column] === 'NA' ? null : Number(c[column]);
  }
  return hours;
}

/** Independent: integer mean, half to even. */
function halfEvenMean(values: number[], scale: number): number {
  const scaled = values.map((v) => Math.round(v * scale));
  const sum = scaled.reduce((a, b) => a + b, 0);
  const q = Math.floor(sum / values.length);
  const twice = 2 * (sum - q * values.length);
  return (twice > values.length || (twice === values.length && q % 2 === 1) ? q + 1 : q) / scale;
}

/** Independent IAQI on HJ 633-2012 24-h breakpoints (concentrations in tenths to keep integers). */
function iaqi2012(c: number, bps: number[]): number {
  const levels = [0, 50, 100, 150, 200, 300, 400, 500];
  const x = Math.round(c * 10);
  for (let i = 1; i < bps.length; i++) {
    const hi = (bps[i] ?? 0) * 10;
    const lo = (bps[i - 1] ?? 0) * 10;
    if (x <= hi) return (levels[i - 1] ?? 0) + Math.ceil(((levels[i] ?? 0) - (levels[i - 1] ?? 0)) * (x - lo) / (hi - lo) - 1e-9);
  }
  return 500;
}

describe('envmon aqi --daily on Beijing Dongsi', () => {
  it('matches an independent computation for days with complete data', async () => {
    const result = await runEnvmon(['aqi', '--site', 'Dongsi', '--from', '2016-03-01T00:00:00+08:00', '--to', '2016-03-04T00:00:00+08:00', '--daily', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { site: string; time: string; aqi: number | null; primaryPollutants: string[]; iaqi: Record<string, number | null>; standard: string }[];
    expect(rows.map((r) => r.time)).toEqual(['2016-03-01', '2016-03-02', '2016-03-03']);
    for (const row of rows) {
      expect(row.standard).toBe('HJ 633-2012');
      const hours = (col: number) => dayColumn(row.time, col).filter((x): x is number => x !== null);
      // On these days every pollutant has all 24 hours (checked here), so every daily value is valid.
      expect([5, 6, 7, 8, 9, 10].map((col) => hours(col).length), row.time).toEqual([24, 24, 24, 24, 24, 24]);
      const o3 = hours(10);
      // The O3 daily maximum 8-hour mean: the largest of the 17 means ending 08:00 … 24:00.
      const o3Max8h = Math.max(...Array.from({ length: 17 }, (_, i) => halfEvenMean(o3.slice(i, i + 8), 1)));
      const expected = {
        pm2_5: iaqi2012(halfEvenMean(hours(5), 1), [0, 35, 75, 115, 150, 250, 350, 500]),
        pm10: iaqi2012(halfEvenMean(hours(6), 1), [0, 50, 150, 250, 350, 420, 500, 600]),
        so2: iaqi2012(halfEvenMean(hours(7), 1), [0, 50, 150, 475, 800, 1600, 2100, 2620]),
        no2: iaqi2012(halfEvenMean(hours(8), 1), [0, 40, 80, 180, 280, 565, 750, 940]),
        // CO in the file is μg/m³ (whole hundreds, so tenths of mg/m³ are exact): the daily mean in mg/m³ to one decimal.
        co: iaqi2012(halfEvenMean(hours(9).map((x) => x / 1000), 10), [0, 2, 4, 14, 24, 36, 48, 60]),
        // HJ 633-2012 §5.1.2: the larger IAQI of the O3 daily maximum 8-hour mean and the daily maximum hourly value.
        o3: Math.max(iaqi2012(o3Max8h, [0, 100, 160, 215, 265, 800]), iaqi2012(Math.max(...o3), [0, 160, 200, 300, 400, 800, 1000, 1200])),
      };
      expect(row.iaqi, row.time).toEqual(expected);
      expect(row.aqi, row.time).toBe(Math.max(...Object.values(expected)));
    }
    // By hand for 2016-03-01: 24 PM2.5 hours sum to 2981, mean 124.2 → 124 → 150 + 50/35 × (124 − 115) = 162.9 → 163;
    // PM10 137 → 94, NO2 75 → 94, CO 2.0 → 50, SO2 32, O3 29: the AQI is PM2.5's.
    expect(rows.map((r) => r.aqi)).toEqual([163, 220, 350]);
    expect(rows.map((r) => r.primaryPollutants)).toEqual([['pm2_5'], ['pm2_5'], ['pm2_5']]);
  });
});

describe('envmon targets', () => {
  it('reports a year\'s PM2.5 mean for a site, as computed independently', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-targets-'));
    const extra = path.join(dir, 'targets.yaml');
    writeFileSync(
      extra,
      [
        'targets:',
        '  - { id: T-PM25, document: test plan, nature: binding, scope: { site: Dongsi }, indicator: pm2_5_annual_mean, target: { year: 2016, comparator: "<=", value: 44 }, validFrom: "2016-01-01", validTo: "2016-12-31" }',
      ].join('\n'),
    );
    const targetsEnv = { ...env, ENVMON_CONFIG: `${path.join(repoRoot, 'config/envmon.yaml')},${extra}` };
    const result = await runEnvmon(['targets', '--year', '2016', '--json'], targetsEnv);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { id: string; progress: { current: string; basis: number; meets: boolean; projection: string | null } }[];
    const pm = rows.find((r) => r.id === 'T-PM25')?.progress;
    // Independently: every natural day of 2016 with ≥ 20 hours, its half-even integer mean; then their mean.
    const daily: number[] = [];
    for (let t = Date.UTC(2016, 0, 1); t < Date.UTC(2017, 0, 1); t += 86_400_000) {
      const hours = dayColumn(new Date(t).toISOString().slice(0, 10), 5).filter((x): x is number => x !== null);
      if (hours.length >= 20) daily.push(halfEvenMean(hours, 1));
    }
    expect(pm).toEqual({ current: String(halfEvenMean(daily, 1)), basis: daily.length, required: '≤ 44', meets: false, projection: null });
  });
});

describe('envmon stats', () => {
  it('gives natural-day means with their valid-hour counts', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', 'day', '--from', '2016-03-01T00:00:00+08:00', '--to', '2016-03-03T00:00:00+08:00', '--json'], env);
    const rows = JSON.parse(result.stdout) as { time: string; value: string | null; validCount: number; valid: boolean }[];
    expect(rows.map((r) => r.time)).toEqual(['2016-03-02T00:00:00+08:00', '2016-03-03T00:00:00+08:00']);
    for (const [i, day] of ['2016-03-01', '2016-03-02'].entries()) {
      const hours = dayColumn(day, 5).filter((x): x is number => x !== null);
      const time = ['2016-03-02T00:00:00+08:00', '2016-03-03T00:00:00+08:00'][i];
      expect(rows[i]).toEqual({ site: 'Dongsi', parameter: 'pm2_5', time, value: hours.length >= 20 ? String(halfEvenMean(hours, 1)) : null, validCount: hours.length, valid: hours.length >= 20 });
    }
    // Both days are complete (24 hours), with means 124 and 170.
    expect(rows.map((r) => [r.validCount, r.value])).toEqual([[24, '124'], [24, '170']]);
  });

  it('gives the annual mean only with 324 valid days', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', 'year', '--from', '2016-01-01T00:00:00+08:00', '--to', '2017-01-01T00:00:00+08:00', '--json'], env);
    const rows = JSON.parse(result.stdout) as { time: string; value: string | null; validCount: number; valid: boolean }[];
    // Counted in the CSV apart from envmon (exact fractions): 344 days of 2016 have ≥ 20 PM2.5 hours; their
    // half-even integer means sum to 27773, and 27773 / 344 = 80.7 → 81.
    expect(rows).toEqual([{ site: 'Dongsi', parameter: 'pm2_5', time: '2017-01-01T00:00:00+08:00', value: '81', validCount: 344, valid: true }]);
  });
});
