/** `envmon aqi` and `envmon stats` on the real Beijing data, checked against values computed here independently. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aqiQuery, statsQuery } from '../../queries/air-queries.ts';
import { QueryError } from '../../lib/query-error.ts';
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

/** The CSV is imported by an operator, not replayed by a demonstration source: measured data, not labelled. */
const measured = { origin: null, originLabel: null };

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
    // A natural day is labelled by its date, as in `aqi --daily`.
    expect(rows.map((r) => r.time)).toEqual(['2016-03-01', '2016-03-02']);
    for (const [i, day] of ['2016-03-01', '2016-03-02'].entries()) {
      const hours = dayColumn(day, 5).filter((x): x is number => x !== null);
      expect(rows[i]).toEqual({ site: 'Dongsi', parameter: 'pm2_5', time: day, value: hours.length >= 20 ? String(halfEvenMean(hours, 1)) : null, validCount: hours.length, valid: hours.length >= 20, ...measured });
    }
    // Both days are complete (24 hours), with means 124 and 170.
    expect(rows.map((r) => [r.validCount, r.value])).toEqual([[24, '124'], [24, '170']]);
  });

  it('gives the annual mean of the valid days, valid only with 324 of them', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', 'year', '--from', '2016-01-01T00:00:00+08:00', '--to', '2017-01-01T00:00:00+08:00', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    // Counted in the CSV apart from envmon (exact fractions): 344 days of 2016 have ≥ 20 PM2.5 hours; their
    // half-even integer means sum to 27773, and 27773 / 344 = 80.7 → 81.
    expect(JSON.parse(result.stdout)).toEqual([{ site: 'Dongsi', parameter: 'pm2_5', time: '2016', value: '81', validCount: 344, valid: true, ...measured }]);
  });

  it('gives monthly means of the valid days (27 needed, 25 in February), labelled YYYY-MM', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'no2', '--window', 'month', '--from', '2016-02-01', '--to', '2016-03-31', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const feb = validDailyMeans('2016-02-01', '2016-02-29', 8);
    const mar = validDailyMeans('2016-03-01', '2016-03-31', 8);
    expect(JSON.parse(result.stdout)).toEqual([
      { site: 'Dongsi', parameter: 'no2', time: '2016-02', value: feb.length >= 25 ? String(halfEvenMean(feb, 1)) : null, validCount: feb.length, valid: feb.length >= 25, ...measured },
      { site: 'Dongsi', parameter: 'no2', time: '2016-03', value: mar.length >= 27 ? String(halfEvenMean(mar, 1)) : null, validCount: mar.length, valid: mar.length >= 27, ...measured },
    ]);
  });

  it('gives 8- and 24-hour moving means ending at each hour, both ends of the range included', async () => {
    const eight = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm10', '--window', '8h', '--from', '2016-03-01T10:00', '--to', '2016-03-01T11:00', '--json'], env);
    expect(eight.code, eight.stderr).toBe(0);
    const lastHours = (end: number, n: number) => Array.from({ length: n }, (_, i) => csvValue('2016-03-01', end - i, 6)).filter((v): v is number => v !== null);
    const mean8 = (end: number) => ({ time: `2016-03-01T${String(end).padStart(2, '0')}:00:00+08:00`, ...moving(lastHours(end, 8), 6) });
    expect((JSON.parse(eight.stdout) as object[]).map((r) => ({ ...r }))).toEqual([mean8(10), mean8(11)].map((m) => ({ site: 'Dongsi', parameter: 'pm10', ...m, ...measured })));
    const day = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm10', '--window', '24h', '--from', '2016-03-02T00:00+08:00', '--to', '2016-03-02T00:00+08:00', '--json'], env);
    expect(day.code, day.stderr).toBe(0);
    const hours = dayColumn('2016-03-01', 6).filter((x): x is number => x !== null);
    expect(JSON.parse(day.stdout)).toEqual([{ site: 'Dongsi', parameter: 'pm10', time: '2016-03-02T00:00:00+08:00', ...moving(hours, 20), ...measured }]);
  });
});

/** The CSV value of a column at a Beijing date and hour label (hour 0 … 23). */
function csvValue(day: string, hour: number, column: number): number | null {
  const [y, m, d] = day.split('-').map(Number);
  for (const line of csvLines) {
    const c = line.split(',');
    if (Number(c[1]) === y && Number(c[2]) === m && Number(c[3]) === d && Number(c[4]) === hour) return c[column] === 'NA' ? null : Number(c[column]);
  }
  return null;
}

/** A moving mean by GB 3095 Table 4 (`minimum` valid hours), computed here. */
function moving(values: number[], minimum: number): { value: string | null; validCount: number; valid: boolean } {
  return { value: values.length >= minimum ? String(halfEvenMean(values, 1)) : null, validCount: values.length, valid: values.length >= minimum };
}

/** The half-even integer means of the natural days from `first` to `last` with at least 20 hours. */
function validDailyMeans(first: string, last: string, column: number): number[] {
  const daily: number[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    const hours = dayColumn(new Date(t).toISOString().slice(0, 10), column).filter((x): x is number => x !== null);
    if (hours.length >= 20) daily.push(halfEvenMean(hours, 1));
  }
  return daily;
}

describe('times given to aqi and stats', () => {
  it('includes both ends and reads a time without a zone as Beijing time', async () => {
    const result = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', '1h', '--from', '2016-03-01T00:00', '--to', '2016-03-01T03:00', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { time: string; value: string | null }[];
    expect(rows.map((r) => [r.time, r.value])).toEqual([0, 1, 2, 3].map((h) => [`2016-03-01T0${h}:00:00+08:00`, String(csvValue('2016-03-01', h, 5))]));
    const aqi = await runEnvmon(['aqi', '--site', 'Dongsi', '--from', '2016-03-01T00:00', '--to', '2016-03-01T02:00', '--json'], env);
    expect((JSON.parse(aqi.stdout) as { time: string }[]).map((r) => r.time)).toEqual(['2016-03-01T00:00:00+08:00', '2016-03-01T01:00:00+08:00', '2016-03-01T02:00:00+08:00']);
  });

  it('reads a date alone as whole natural days in Beijing time, and labels days alike in aqi and stats', async () => {
    const aqi = await runEnvmon(['aqi', '--site', 'Dongsi', '--from', '2016-03-01', '--to', '2016-03-03', '--daily', '--json'], env);
    expect(aqi.code, aqi.stderr).toBe(0);
    expect((JSON.parse(aqi.stdout) as { time: string }[]).map((r) => r.time)).toEqual(['2016-03-01', '2016-03-02', '2016-03-03']);
    const stats = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', 'day', '--from', '2016-03-01', '--to', '2016-03-03', '--json'], env);
    expect((JSON.parse(stats.stdout) as { time: string }[]).map((r) => r.time)).toEqual(['2016-03-01', '2016-03-02', '2016-03-03']);
    // The hours of one natural day: 01:00 … 24:00 (00:00 of the next date).
    const hours = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm2_5', '--window', '1h', '--from', '2016-03-01', '--to', '2016-03-01', '--json'], env);
    const times = (JSON.parse(hours.stdout) as { time: string }[]).map((r) => r.time);
    expect([times.length, times[0], times[23]]).toEqual([24, '2016-03-01T01:00:00+08:00', '2016-03-02T00:00:00+08:00']);
  });

  it('refuses impossible dates and times, naming the flag and the value', async () => {
    const result = await runEnvmon(['aqi', '--site', 'Dongsi', '--from', '2026-11-31', '--to', '2026-12-01'], env);
    expect([result.code, result.stderr.trim()]).toEqual([1, 'envmon: --from "2026-11-31": no such date (November has 30 days)']);
    const asked = (from: string, to: string) => statsQuery(database.db, { site: 'Dongsi', parameter: 'pm2_5', window: '1h', from, to }, { now: new Date('2026-12-01T00:00:00Z') });
    await expect(asked('2026-02-01', '2026-02-29')).rejects.toThrow(new QueryError('to "2026-02-29": no such date (February 2026 has 28 days)'));
    await expect(asked('2026-11-01T00:00', '2026-11-01T24:30')).rejects.toThrow(new QueryError('to "2026-11-01T24:30": no such time (hours run 00–23, and 24:00 ends a day)'));
    await expect(asked('2026-11-01T07:60', '2026-11-02')).rejects.toThrow(new QueryError('from "2026-11-01T07:60": no such time (minutes run 00–59)'));
    await expect(asked('yesterday', '2026-11-02')).rejects.toThrow(new QueryError('from "yesterday": not a time; give YYYY-MM-DD or YYYY-MM-DDTHH:MM (Beijing time unless it ends in Z or an offset such as +08:00)'));
    await expect(asked('2026-11-03', '2026-11-02')).rejects.toThrow(new QueryError('from "2026-11-03": after to "2026-11-02"'));
  });

  it('shows no rows for hours that have not happened yet, and says so', async () => {
    const now = new Date('2016-03-01T05:30:00+08:00');
    const rows = await statsQuery(database.db, { site: 'Dongsi', parameter: 'pm2_5', window: '1h', from: '2016-03-01T00:00', to: '2016-03-02T00:00' }, { now });
    expect(rows.map((r) => r.time)).toEqual([0, 1, 2, 3, 4, 5].map((h) => `2016-03-01T0${h}:00:00+08:00`));
    await expect(statsQuery(database.db, { site: 'Dongsi', parameter: 'pm2_5', window: '1h', from: '2016-03-01T06:00', to: '2016-03-02T00:00' }, { now })).rejects.toThrow(
      new QueryError('from "2016-03-01T06:00": in the future (it is now 2016-03-01 05:30 Beijing time)'),
    );
    const yesterday = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
    const cli = await runEnvmon(['aqi', '--site', 'Dongsi', '--from', yesterday, '--to', '2099-12-31'], env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/^envmon: --to "2099-12-31" is in the future; showing data up to now \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} Beijing time\)\n$/);
  });

  it('names an unknown site or parameter and lists the known ones', async () => {
    const site = await runEnvmon(['aqi', '--site', 'Dongsi,Dongsy', '--from', '2016-03-01', '--to', '2016-03-01'], env);
    expect(site.code).toBe(1);
    expect(site.stderr).toMatch(/^envmon: --site "Dongsy": no such site; did you mean "Dongsi"\? Known sites: Dongsi, Guanyuan, JC-AIR-TOWN, .*Wanshouxigong \(envmon sites lists them\)\n$/);
    const parameter = await runEnvmon(['stats', '--site', 'Dongsi', '--parameter', 'pm25', '--window', '1h', '--from', '2016-03-01', '--to', '2016-03-01'], env);
    expect(parameter.stderr).toMatch(/^envmon: --parameter "pm25": no such parameter; did you mean "pm2_5"\? Known parameters: pm2_5, pm10, so2, no2, co, o3, .*tn\n$/);
  });

  it('limits the sites and the time range of one request', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `S${i}`).join(',');
    await expect(aqiQuery(database.db, { site: many, from: '2016-03-01', to: '2016-03-01' })).rejects.toThrow(new QueryError('site: 51 sites asked for, at most 50 per request'));
    await expect(aqiQuery(database.db, { site: 'Dongsi,Tiantan,Guanyuan', from: '2016-03-01', to: '2016-03-01' }, { limits: { maxSites: 2, maxRangeDays: 400 } })).rejects.toThrow(
      new QueryError('site: 3 sites asked for, at most 2 per request'),
    );
    // 2015-01-01 … 2016-03-01 is 365 + 31 + 29 + 1 days.
    await expect(statsQuery(database.db, { site: 'Dongsi', parameter: 'pm2_5', window: 'day', from: '2015-01-01', to: '2016-03-01' })).rejects.toThrow(
      new QueryError('to "2016-03-01": 426 days after from, at most 400 per request'),
    );
  });
});

describe('window statistics come from the stored windows', () => {
  it('reads 8-h, 24-h, day, month and year values from window_aggregate, not from the readings', async () => {
    class Rollback extends Error {}
    const seen: Record<string, (string | null)[]> = {};
    await database.db
      .transaction()
      .execute(async (trx) => {
        // Mark one stored window of each kind; the query must return the mark.
        await sql`update window_aggregate w set value = 999 from site s, parameter p
                  where s.id = w.site_id and p.id = w.parameter_id and s.code = 'Dongsi' and p.code = 'so2'
                    and ((w.kind in ('8h', '24h') and w.window_end = '2016-12-31T10:00:00+08:00')
                      or (w.kind = 'day' and w.window_end = '2016-03-02T00:00:00+08:00')
                      or (w.kind = 'month' and w.window_end = '2016-04-01T00:00:00+08:00')
                      or (w.kind = 'year' and w.window_end = '2017-01-01T00:00:00+08:00'))`.execute(trx);
        for (const window of ['8h', '24h', 'day', 'month', 'year']) {
          const hourly = window === '8h' || window === '24h';
          // Moving means are stored for the last week of a series (here the end of 2016), days and longer for all time.
          const rows = await statsQuery(trx, { site: 'Dongsi', parameter: 'so2', window, from: hourly ? '2016-12-31T10:00' : '2016-03-01', to: hourly ? '2016-12-31T10:00' : '2016-03-01' });
          seen[window] = rows.map((r) => r.value);
        }
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    expect(seen).toEqual({ '8h': ['999'], '24h': ['999'], day: ['999'], month: ['999'], year: ['999'] });
  });
});
