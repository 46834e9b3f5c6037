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
      const mean = (col: number, scale = 1) => {
        const v = dayColumn(row.time, col).filter((x): x is number => x !== null);
        return v.length >= 20 ? halfEvenMean(v, scale) : null;
      };
      const pm25 = mean(5);
      const pm10 = mean(6);
      if (pm25 !== null) expect(row.iaqi.pm2_5, row.time).toBe(iaqi2012(pm25, [0, 35, 75, 115, 150, 250, 350, 500]));
      if (pm10 !== null) expect(row.iaqi.pm10, row.time).toBe(iaqi2012(pm10, [0, 50, 150, 250, 350, 420, 500, 600]));
      // CO in the file is μg/m³: the daily mean in mg/m³ to one decimal.
      const coHours = dayColumn(row.time, 9).filter((x): x is number => x !== null).map((x) => x / 1000);
      if (coHours.length >= 20) expect(row.iaqi.co, row.time).toBe(iaqi2012(halfEvenMean(coHours, 10), [0, 2, 4, 14, 24, 36, 48, 60]));
      const all = Object.values(row.iaqi);
      if (all.every((x) => x !== null)) expect(row.aqi).toBe(Math.max(...all.map(Number)));
      else expect(row.aqi).toBeNull();
    }
  });
});

describe('envmon targets', () => {
  it('reports a year\'s PM2.5 mean and good-day ratio for a site, as computed independently', async () => {
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
      expect(rows[i]).toEqual({ site: 'Dongsi', parameter: 'pm2_5', time: rows[i]?.time, value: hours.length >= 20 ? String(halfEvenMean(hours, 1)) : null, validCount: hours.length, valid: hours.length >= 20 });
    }
  });

  it('gives the annual mean only with 324 valid days', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', 'year', '--from', '2016-01-01T00:00:00+08:00', '--to', '2017-01-01T00:00:00+08:00', '--json'], env);
    const [year] = JSON.parse(result.stdout) as { time: string; value: string | null; validCount: number; valid: boolean }[];
    expect(year?.time).toBe('2017-01-01T00:00:00+08:00');
    expect(year?.valid).toBe((year?.validCount ?? 0) >= 324);
    expect(year?.validCount).toBeGreaterThan(300);
  });
});
