/**
 * `envmon assess`, `envmon rank` and `envmon dust` on real Beijing readings (test/fixtures/beijing-assessment),
 * stored through `envmon import`; expected figures are computed here from the CSV with plain arithmetic.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirAssessment, RankRow } from '../../standards/assessment-types.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot } from '../support/test-service.ts';
import { createLogger } from '../../lib/logger.ts';
import { startHttpServer } from '../../workers/http-server.ts';

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
    const server: Server = await startHttpServer({ port: 0, host: '127.0.0.1', auth: 'none' }, { db: database.db, targets: [], parameterIds: new Map() }, log);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
