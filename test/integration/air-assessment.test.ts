/**
 * `envmon assess`, `envmon rank` and `envmon dust` on real Beijing readings (test/fixtures/beijing-assessment),
 * stored through `envmon import`; expected figures are computed here from the CSV with plain arithmetic.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirAssessment, RankRow } from '../../standards/assessment-types.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot, testConfig } from '../support/test-service.ts';
import { createLogger } from '../../lib/logger.ts';
import { startWebServer } from '../../web/server.ts';

const fixtures = path.join(repoRoot, 'test/fixtures/beijing-assessment');
let database: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  env = cleanEnv({ DATABASE_URL: database.url });
  for (const station of ['Dongsi', 'Tiantan']) {
    const result = await runEnvmon(['import', path.join(fixtures, `${station}.csv`), '--format', 'csv', '--mapping', path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), '--json'], env);
    if (result.code !== 0) throw new Error(result.stderr);
  }
}, 120_000);
afterAll(async () => {
  await database.drop();
});

/** Column index of the CSV: PM2.5 5, CO 9. */
const rowsOf = (station: string) => readFileSync(path.join(fixtures, `${station}.csv`), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));

/** Hourly values of a natural day (01:00 … 24:00; hour 0 closes the day before). */
function dayHours(station: string, day: string, column: number): number[] {
  const values: number[] = [];
  for (const c of rowsOf(station)) {
    const t = Date.UTC(Number(c[1]), Number(c[2]) - 1, Number(c[3]), Number(c[4])) - 3_600_000;
    if (new Date(t).toISOString().slice(0, 10) === day && c[column] !== 'NA') values.push(Number(c[column]));
  }
  return values;
}

/** Integer division of a / b rounded half to even (a, b integers). */
function halfEven(a: number, b: number): number {
  const q = Math.floor(a / b);
  const twice = 2 * (a - q * b);
  return twice > b || (twice === b && q % 2 === 1) ? q + 1 : q;
}

const days = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

/** PM2.5 day means (integers) of the days with ≥ 20 hours. */
function pm25Days(station: string, from: string, to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of days(from, to)) {
    const h = dayHours(station, d, 5);
    if (h.length >= 20) out.set(d, halfEven(h.reduce((a, b) => a + b, 0), h.length));
  }
  return out;
}

/** CO day means in tenths of mg/m³ (CSV in μg/m³, so hundreds of units per tenth). */
function coDays(station: string, from: string, to: string): number[] {
  return days(from, to).flatMap((d) => {
    const h = dayHours(station, d, 9);
    return h.length >= 20 ? [halfEven(h.reduce((a, b) => a + b, 0), h.length * 100)] : [];
  });
}

const mean = (values: number[]) => halfEven(values.reduce((a, b) => a + b, 0), values.length);

async function assess(args: string[]): Promise<AirAssessment[]> {
  const result = await runEnvmon(['assess', ...args, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as AirAssessment[];
}

describe('envmon assess on Beijing readings', () => {
  it('February 2016 at Dongsi: PM2.5 mean and CO 95th percentile of the day values, 25 days required', async () => {
    const [a] = await assess(['--site', 'Dongsi', '--from', '2016-02-01', '--to', '2016-02-29']);
    const pm = [...pm25Days('Dongsi', '2016-02-01', '2016-02-29').values()];
    expect(a?.concentrations.pm2_5).toEqual({ value: String(mean(pm)), validCount: pm.length, required: 25, valid: pm.length >= 25, statistic: 'mean' });
    const co = coDays('Dongsi', '2016-02-01', '2016-02-29').sort((x, y) => x - y);
    // HJ 663: k = 1 + (n − 1) × 0.95, in hundredths: X(s) × 100 + (X(s+1) − X(s)) × fraction, then to tenths.
    const position = (co.length - 1) * 95;
    const s = Math.floor(position / 100);
    const low = co[s] ?? 0;
    const high = co[s + 1] ?? low;
    const p95 = halfEven(low * 100 + (high - low) * (position % 100), 100);
    expect(a?.concentrations.co.value).toBe((p95 / 10).toFixed(1).replace(/\.0$/, ''));
    expect(a?.days).toBe(29);
    expect(a?.standard.editions).toEqual(['HJ 633-2012']);
    expect(a?.previousYear.from).toBe('2015-02-01');
    expect(a?.previousYear.to).toBe('2015-02-28');
    expect(a?.originLabel).toBeNull();
  });

  it('across a year boundary: 12 required days (7 of 31 in December, 5 of 31 in January, pro rata rounded up)', async () => {
    const [a] = await assess(['--site', 'Tiantan', '--from', '2015-12-25', '--to', '2016-01-05']);
    const pm = [...pm25Days('Tiantan', '2015-12-25', '2016-01-05').values()];
    expect(a?.concentrations.pm2_5).toMatchObject({ value: String(mean(pm)), validCount: pm.length, required: 12 });
    // previous year: 2014-12-25 … 2015-01-05, compared without dust days
    const last = [...pm25Days('Tiantan', '2014-12-25', '2015-01-05').values()];
    expect(a?.previousYear.figures?.concentrations.pm2_5.value).toBe(String(mean(last)));
  });

  it('an area is the mean of its sites per day, then the period statistic', async () => {
    const [a] = await assess(['--area', '北京市', '--from', '2016-02-01', '--to', '2016-02-29']);
    const d = pm25Days('Dongsi', '2016-02-01', '2016-02-29');
    const t = pm25Days('Tiantan', '2016-02-01', '2016-02-29');
    const area = days('2016-02-01', '2016-02-29').flatMap((day) => {
      const v = [d.get(day), t.get(day)].filter((x): x is number => x !== undefined);
      return v.length === 0 ? [] : [mean(v)];
    });
    expect(a?.area).toBe('北京市');
    expect(a?.concentrations.pm2_5.value).toBe(String(mean(area)));
  });

  it('leaves a marked dust day out of the figures shown without dust, and lists it', async () => {
    const add = await runEnvmon(['dust', 'add', '--date', '2016-02-10', '--area', '北京市', '--note', '沙尘天气', '--by', '值班员'], env);
    expect(add.code, add.stderr).toBe(0);
    const [a] = await assess(['--site', 'Dongsi', '--from', '2016-02-01', '--to', '2016-02-29']);
    const pm = pm25Days('Dongsi', '2016-02-01', '2016-02-29');
    const without = [...pm].filter(([day]) => day !== '2016-02-10').map(([, v]) => v);
    expect(a?.dustDays).toEqual(['2016-02-10']);
    expect(a?.withoutDust.days).toBe(28);
    expect(a?.withoutDust.concentrations.pm2_5).toMatchObject({ value: String(mean(without)), validCount: without.length, required: 24 });
    const text = await runEnvmon(['assess', '--site', 'Dongsi', '--from', '2016-02-01', '--to', '2016-02-29'], env);
    expect(text.stdout).toContain('扣沙后');
    expect(text.stdout).toContain('2016-02-10');
    const list = await runEnvmon(['dust', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([{ day: '2016-02-10', area: '北京市', note: '沙尘天气', markedBy: '值班员', source: 'database' }]);
    const remove = await runEnvmon(['dust', 'remove', '--date', '2016-02-10', '--area', '北京市'], env);
    expect(remove.code, remove.stderr).toBe(0);
  });

  it('shows too few days as invalid, never as a number', async () => {
    const [a] = await assess(['--site', 'Dongsi', '--from', '2016-03-01', '--to', '2016-03-31']);
    expect(a?.concentrations.pm2_5).toMatchObject({ value: null, valid: false, validCount: 0, required: 27 });
    expect(a?.compositeIndex).toBeNull();
    const text = await runEnvmon(['assess', '--site', 'Dongsi', '--from', '2016-03-01', '--to', '2016-03-31'], env);
    expect(text.stdout).toContain('无效(0/需27)');
  });

  it('refuses impossible dates and unknown sites, naming the flag', async () => {
    const bad = await runEnvmon(['assess', '--site', 'Dongsi', '--from', '2015-02-29', '--to', '2015-03-31'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from');
    const unknown = await runEnvmon(['assess', '--site', 'Nowhere', '--from', '2016-02-01', '--to', '2016-02-29'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Nowhere');
  });
});

describe('envmon rank', () => {
  it('ranks by PM2.5 ascending, sites without valid data last with rank 0 and a reason', async () => {
    const result = await runEnvmon(['rank', '--by', 'pm2_5', '--from', '2016-02-01', '--to', '2016-02-29', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as RankRow[];
    const d = mean([...pm25Days('Dongsi', '2016-02-01', '2016-02-29').values()]);
    const t = mean([...pm25Days('Tiantan', '2016-02-01', '2016-02-29').values()]);
    const ranked = rows.filter((r) => r.rank > 0);
    expect(ranked.map((r) => r.value)).toEqual([String(Math.min(d, t)), String(Math.max(d, t))]);
    expect(ranked.map((r) => r.rank)).toEqual(d === t ? [1, 1] : [1, 2]);
    expect(rows.filter((r) => r.rank === 0).every((r) => r.value === null && typeof r.reason === 'string')).toBe(true);
  });

  it('ranks the good-day ratio descending, equal values sharing a rank (competition ranking 1, 1, 3)', async () => {
    const result = await runEnvmon(['rank', '--by', 'goodRatio', '--from', '2016-02-01', '--to', '2016-02-29', '--json'], env);
    const rows = JSON.parse(result.stdout) as RankRow[];
    const ranked = rows.filter((r) => r.rank > 0);
    for (const r of ranked) expect(r.rank).toBe(1 + ranked.filter((x) => Number(x.value) > Number(r.value)).length);
    for (const r of ranked) expect(r.tied).toBe(ranked.filter((x) => x.value === r.value).length > 1);
  });
});

describe('GET /api/assess and /api/rank', () => {
  it('serve the same assessment as the CLI, and 400 for an impossible date', async () => {
    const log = createLogger({ level: 'error', write: () => undefined });
    const server = await startWebServer({ port: 0, host: '127.0.0.1' }, { db: database.db, config: testConfig({ DATABASE_URL: database.url, ENVMON_HTTP_AUTH: 'none' }), parameterIds: new Map(), log, now: () => new Date() });
    try {
      const base = server.url;
      const response = await fetch(`${base}/api/assess?site=Dongsi&from=2016-02-01&to=2016-02-29`);
      expect(response.status).toBe(200);
      const [a] = (await response.json()) as AirAssessment[];
      expect(a?.concentrations.pm2_5.value).toBe(String(mean([...pm25Days('Dongsi', '2016-02-01', '2016-02-29').values()])));
      const bad = await fetch(`${base}/api/assess?site=Dongsi&from=2016-02-30&to=2016-03-31`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('from');
      const rank = await fetch(`${base}/api/rank?by=pm2_5&from=2016-02-01&to=2016-02-29&areas=1`);
      expect(rank.status).toBe(200);
      // Only 北京市 has data here; the default configuration's other areas follow unranked.
      const rows = (await rank.json()) as RankRow[];
      expect(rows[0]).toMatchObject({ rank: 1, area: '北京市' });
      expect(rows.slice(1).every((r) => r.rank === 0 && r.value === null)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

/** Stores CSV rows through `envmon import`, as beforeAll does for the fixtures. */
async function importRows(name: string, rows: readonly string[][]): Promise<void> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-assess-')), `${name}.csv`);
  const header = readFileSync(path.join(fixtures, 'Dongsi.csv'), 'utf8').split(/\r?\n/)[0] as string;
  writeFileSync(file, [header, ...rows.map((c) => c.join(','))].join('\n') + '\n');
  const result = await runEnvmon(['import', file, '--format', 'csv', '--mapping', path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), '--json'], env);
  expect(result.code, result.stderr).toBe(0);
}

/** Hourly values of a natural day by the hour ending (1 … 24). */
function hourValues(station: string, day: string, column: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of rowsOf(station)) {
    const t = Date.UTC(Number(c[1]), Number(c[2]) - 1, Number(c[3]), Number(c[4])) - 3_600_000;
    if (new Date(t).toISOString().slice(0, 10) === day && c[column] !== 'NA') out.set(new Date(t).getUTCHours() + 1, Number(c[column]));
  }
  return out;
}

/** Whole-unit day mean of ≥ 20 hours (CO in tenths of mg/m³ from μg/m³), or null. */
function dayMean(station: string, day: string, column: number): number | null {
  const h = [...hourValues(station, day, column).values()];
  return h.length >= 20 ? halfEven(h.reduce((a, b) => a + b, 0), h.length * (column === 9 ? 100 : 1)) : null;
}

/** O3 daily maximum 8-h mean: windows ending 08:00 … 24:00 with ≥ 6 hours, each rounded; counts with ≥ 14 windows. */
function o3Day(station: string, day: string): number | null {
  const o3 = hourValues(station, day, 10);
  const windows: number[] = [];
  for (let end = 8; end <= 24; end++) {
    const v = [end - 7, end - 6, end - 5, end - 4, end - 3, end - 2, end - 1, end].flatMap((h) => (o3.has(h) ? [o3.get(h) as number] : []));
    if (v.length >= 6) windows.push(halfEven(v.reduce((a, b) => a + b, 0), v.length));
  }
  const best = windows.length === 0 ? null : Math.max(...windows);
  return best !== null && (windows.length >= 14 || best > 160) ? best : null;
}

/** HJ 663 percentile p of integer day values, to whole units. */
function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const position = (sorted.length - 1) * p;
  const s = Math.floor(position / 100);
  const low = sorted[s] ?? 0;
  const high = sorted[s + 1] ?? low;
  return halfEven(low * 100 + (high - low) * (position % 100), 100);
}

describe('a tie in the composite ranking and the 2026 edition', () => {
  it('two sites with the same stored readings share rank 1 (tied) and the next site is rank 3', async () => {
    // Tiantan's February 2015 rows stored once more as Guanyuan (a 北京市 site of the configuration without data).
    await importRows('Guanyuan', rowsOf('Tiantan').filter((c) => c[1] === '2015' && (c[2] === '02' || c[2] === '2' || (c[2] === '3' && c[3] === '1' && c[4] === '0'))).map((c) => [...c.slice(0, -1), '"Guanyuan"']));
    const composite = (station: string): string => {
      const feb = days('2015-02-01', '2015-02-28');
      const of = (column: number) => feb.flatMap((d) => { const v = dayMean(station, d, column); return v === null ? [] : [v]; });
      const [so2, no2, pm10, pm25] = [7, 8, 6, 5].map((column) => mean(of(column))) as [number, number, number, number];
      const co = percentileOf(of(9), 95); // tenths of mg/m³
      const o3 = percentileOf(feb.flatMap((d) => { const v = o3Day(station, d); return v === null ? [] : [v]; }), 90);
      expect([of(7), of(8), of(6), of(5), of(9)].every((v) => v.length >= 25)).toBe(true);
      // so2/60 + no2/40 + pm10/70 + pm25/35 + (co/10)/4 + o3/160 over the common denominator 3360, rounded to hundredths.
      const hundredths = halfEven((so2 * 56 + no2 * 84 + pm10 * 48 + pm25 * 96 + co * 84 + o3 * 21) * 100, 3360);
      return String(hundredths / 100);
    };
    const result = await runEnvmon(['rank', '--by', 'composite', '--from', '2015-02-01', '--to', '2015-02-28', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as RankRow[];
    const ranked = rows.filter((r) => r.rank > 0);
    // By hand from the CSV: Tiantan SO2 23, NO2 52, PM10 122, PM2.5 96, CO 3.0, O3-8h 89 → 25117/3360 = 7.475… → 7.48;
    // Dongsi 29, 51, 130, 109, 3.0, 70 → 26602/3360 = 7.917… → 7.92.
    expect(composite('Tiantan')).toBe('7.48');
    expect(composite('Dongsi')).toBe('7.92');
    // Competition ranking: the two equal sites 1 and 1, the next 3 (Wanshouxigong has no data: rank 0).
    const bySite = [...ranked].sort((x, y) => x.rank - y.rank || String(x.site).localeCompare(String(y.site)));
    expect(bySite.map((r) => [r.site, r.rank, r.tied, r.value])).toEqual([
      ['Guanyuan', 1, true, composite('Tiantan')],
      ['Tiantan', 1, true, composite('Tiantan')],
      ['Dongsi', 3, false, composite('Dongsi')],
    ]);
    expect(rows.find((r) => r.site === 'Wanshouxigong')).toMatchObject({ rank: 0, value: null });
  });

  it('days from 2026-03-01 follow HJ 633-2026: real March 2015 Dongsi readings re-dated by eleven years', async () => {
    // 2015-02-28 01:00 … 2015-03-04 00:00, hour-ending Beijing time, moved to 2026 (both years have no 29 February).
    const source = [...rowsOf('Dongsi'), ...rowsOf('Dongsi-2015-03')].filter((c) => c[1] === '2015' && ((c[2] === '2' && c[3] === '28' && c[4] !== '0') || c[2] === '3'));
    expect(source).toHaveLength(96);
    await importRows('Dongsi-2026', source.map((c) => [c[0] as string, '2026', ...c.slice(2)]));

    // HJ 633-2026 Table 1 daily columns (/work/shared/standards/gb3095-2026-hj633-2026.json, read from the official
    // PDF, not marked unverified there); CO in tenths of mg/m³. IAQI = IAQI_Lo + ΔIAQI·(C − BP_Lo)/ΔBP, rounded up.
    const levels = [0, 50, 100, 150, 200, 300, 400, 500];
    const breakpoints: [number, number[]][] = [
      [7, [0, 50, 150, 475, 800, 1600, 2100, 2620]],
      [8, [0, 40, 80, 180, 280, 565, 750, 940]],
      [9, [0, 20, 40, 140, 240, 360, 480, 600]],
      [6, [0, 50, 120, 250, 350, 420, 500, 600]],
      [5, [0, 35, 60, 115, 150, 250, 350, 500]],
    ];
    const o3Breakpoints = [0, 100, 160, 215, 265, 800];
    const iaqi = (c: number, bp: number[]): number => {
      const i = bp.findIndex((b, k) => k > 0 && c <= b) - 1;
      const [lo, hi] = [bp[i] as number, bp[i + 1] as number];
      const [iLo, iHi] = [levels[i] as number, levels[i + 1] as number];
      return iLo + Math.floor(((iHi - iLo) * (c - lo) + (hi - lo) - 1) / (hi - lo));
    };
    const aqi2026 = (day: string): number => Math.max(...breakpoints.map(([column, bp]) => iaqi(dayMean('Dongsi-2015-03', day, column) as number, bp)), iaqi(o3Day('Dongsi-2015-03', day) as number, o3Breakpoints));
    // By hand, 2 March (2015 readings, 24 hours): PM2.5 70 μg/m³ lies in 60 … 115 → 100 + 50 × (70 − 60) / 55 =
    // 109.1 → 110 (轻度污染; by the HJ 633-2012 breakpoints 35 … 75 it would be 50 + 50 × 35 / 40 = 93.75 → 94, 良).
    // PM10 105 → 50 + 50 × 55 / 70 = 89.3 → 90; NO2 47 → 58.75 → 59; SO2 24 → 24; CO 1.6 → 40; O3-8h 70 → 35. AQI 110.
    expect(aqi2026('2015-03-02')).toBe(110);
    // 1 March: PM10 90 → 78.6 → 79 (PM2.5 45 → 70); 3 March: PM10 60 → 57.1 → 58. Both 良.
    expect([aqi2026('2015-03-01'), aqi2026('2015-03-03')]).toEqual([79, 58]);

    const [march] = await assess(['--site', 'Dongsi', '--from', '2026-03-01', '--to', '2026-03-03']);
    const aqis = ['2015-03-01', '2015-03-02', '2015-03-03'].map(aqi2026);
    expect(march?.standard.editions).toEqual(['HJ 633-2026']);
    expect(march?.validDays).toBe(3);
    expect(march?.goodDays).toBe(aqis.filter((a) => a <= 100).length);
    expect(march?.categories).toMatchObject({ 优: 0, 良: aqis.filter((a) => a > 50 && a <= 100).length, 轻度污染: aqis.filter((a) => a > 100 && a <= 150).length, 中度污染: 0 });
    expect(march?.concentrations.pm2_5).toMatchObject({ value: String(mean(['2015-03-01', '2015-03-02', '2015-03-03'].map((d) => dayMean('Dongsi-2015-03', d, 5) as number))), validCount: 3, required: 3 });

    // 28 February falls under HJ 633-2012: PM2.5 147 in 115 … 150 → 150 + 50 × 32 / 35 = 195.7 → 196, 中度污染.
    const [span] = await assess(['--site', 'Dongsi', '--from', '2026-02-28', '--to', '2026-03-01']);
    expect(dayMean('Dongsi', '2015-02-28', 5)).toBe(147);
    expect(span?.standard.editions).toEqual(['HJ 633-2012', 'HJ 633-2026']);
    expect(span?.standard.note).toContain('2026-03-01');
    expect(span?.standard.note).toContain('HJ 633-2012');
    expect(span?.goodDays).toBe(1);
    expect(span?.categories).toMatchObject({ 良: 1, 中度污染: 1 });
  });
});
