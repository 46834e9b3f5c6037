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
    // 4-hourly samples (00:00, 04:00 … UTC): both ends of the range are included, so the 00:00 UTC sample is the first row.
    const { status, body } = await get('/api/stats?site=JC-SW-WULIANG&parameter=nh3_n&window=1h&from=2026-11-22T00:00:00Z&to=2026-11-22T05:00:00Z');
    expect(status).toBe(200);
    const rows = body as { time: string; value: string | null; valid: boolean }[];
    expect(rows.map((r) => [r.time, r.valid])).toEqual([
      ['2026-11-22T08:00:00+08:00', true],
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
      ['Dongsi', 'HJ 633-2026'],
    ]);
    const alerts = await get('/api/alerts?all=1');
    expect(alerts.status).toBe(200);
    expect(Array.isArray(alerts.body)).toBe(true);
  });

  it('answers 400 to a malformed request and 404 to an unknown path', async () => {
    expect(await get('/api/stats?site=X&parameter=pm2_5&window=week&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).toEqual({ status: 400, body: { error: 'window must be one of 1h, 8h, 24h, day, month, year' } });
    expect((await get('/api/nothing')).status).toBe(404);
  });
});
