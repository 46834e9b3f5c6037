/** The read-only JSON API served by the running service. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.ts';
import type { Service } from '../../workers/main.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let service: Service;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  service = await startTestService(testConfig({ DATABASE_URL: database.url, ENVMON_QUEUE_PREFIX: uniquePrefix(), ENVMON_HTTP_PORT: String(port) }), () => new Date('2026-11-22T05:17:30Z'));
  // The demo sources' first pulls fill 48 hours.
  await waitFor('simulated water readings', async () => Number((await database.db.selectFrom('reading').select((eb) => eb.fn.countAll().as('n')).where('source_id', '=', 'water-simulator').executeTakeFirstOrThrow()).n) === 288);
  // The Beijing pull's cursor moves in the transaction that stores its readings.
  await waitFor('the Beijing readings', async () => (await database.db.selectFrom('source').select('cursor').where('id', '=', 'beijing-replay').executeTakeFirst())?.cursor?.toISOString() === '2026-11-22T05:00:00.000Z');
});
afterAll(async () => {
  await service.stop();
  await database.drop();
});

const get = async (path: string) => {
  const response = await fetch(base + path);
  const body: unknown = await response.json();
  return { status: response.status, body };
};

describe('HTTP API', () => {
  it('answers health checks', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('serves window statistics as the CLI does', async () => {
    // 4-hourly samples: of the hours ending (00:00, 12:00] UTC on the 22nd, those at 04:00, 08:00 and 12:00 have values.
    const { status, body } = await get('/api/stats?site=JC-SW-WULIANG&parameter=nh3_n&window=1h&from=2026-11-22T00:00:00Z&to=2026-11-22T05:00:00Z');
    expect(status).toBe(200);
    const rows = body as { time: string; value: string | null; valid: boolean }[];
    expect(rows.map((r) => [r.time, r.valid])).toEqual([
      ['2026-11-22T09:00:00+08:00', false],
      ['2026-11-22T10:00:00+08:00', false],
      ['2026-11-22T11:00:00+08:00', false],
      ['2026-11-22T12:00:00+08:00', true],
      ['2026-11-22T13:00:00+08:00', false],
    ]);
  });

  it('serves AQI rows and open alerts', async () => {
    const aqi = await get('/api/aqi?site=Dongsi&from=2026-11-21T00:00:00Z&to=2026-11-21T02:00:00Z');
    expect(aqi.status).toBe(200);
    expect((aqi.body as { site: string; standard: string }[]).map((r) => [r.site, r.standard])).toEqual([
      ['Dongsi', 'HJ 633-2026'],
      ['Dongsi', 'HJ 633-2026'],
    ]);
    // One 366-day loop per year of replay: 2026-11-21 09:00 and 10:00 Beijing play 2016-11-13 09:00 and 10:00, lines
    // 7619–7620 of PRSA_Data_Dongsi_2016.csv: PM2.5 72 and 78 μg/m³ on the 2026 breakpoints 60 → 100, 115 → 150:
    // 100 + 50/55 × 12 = 110.9 → 111 and 100 + 50/55 × 18 = 116.4 → 117; PM10 117 and 140 give 98 and 108, the others
    // (SO2 13, NO2 64/66, CO 2.1/2.3, O3 2) far less.
    expect((aqi.body as { time: string; aqi: number; primaryPollutants: string[] }[]).map((r) => [r.time, r.aqi, r.primaryPollutants])).toEqual(
      expect.arrayContaining([
        ['2026-11-21T09:00:00+08:00', 111, ['pm2_5']],
        ['2026-11-21T10:00:00+08:00', 117, ['pm2_5']],
      ]),
    );
    // The demo's simulated 武良 ammonia opens an alert once evaluated; the API lists what the database holds.
    const opened = await waitFor('an alert on the demo data', async () => database.db.selectFrom('alert').select(['id', 'rule_id']).orderBy('id').executeTakeFirst());
    const alerts = await get('/api/alerts?all=1');
    expect(alerts.status).toBe(200);
    expect(alerts.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: opened.id, rule_id: opened.rule_id })]));
  });

  it('answers 400 to a malformed request and 404 to an unknown path', async () => {
    expect(await get('/api/stats?site=X&parameter=pm2_5&window=week&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).toEqual({ status: 400, body: { error: 'window must be one of 1h, 8h, 24h, day, month, year' } });
    expect((await get('/api/nothing')).status).toBe(404);
  });
});
