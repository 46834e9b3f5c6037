/** The read-only JSON API served by the running service: behind bearer tokens, on the loopback interface, bounded. */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeApiToken } from '../../db/repositories/api-tokens.repository.ts';
import { freePort } from '../../lib/free-port.ts';
import { createLogger } from '../../lib/logger.ts';
import { startService, type Service } from '../../workers/main.ts';
import { startWebServer } from '../../web/server.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';
import { trackResource } from '../support/resources.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let service: Service;
let releaseService: () => void;
let port: number;
let base: string;
let token: string;
let revokedToken: string;
let revokedId: number;
const badToken = `envmon_${'A'.repeat(43)}`;
const logLines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const log = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  service = await startService(testConfig({ DATABASE_URL: database.url, ENVMON_QUEUE_PREFIX: uniquePrefix(), ENVMON_HTTP_PORT: String(port) }), log, () => new Date('2026-11-22T05:17:30Z'), { notice: () => undefined });
  releaseService = trackResource('service with the HTTP API');
  token = (await createApiToken(database.db, 'dashboard', new Date('2026-11-22T05:00:00Z'))).token;
  const revoked = await createApiToken(database.db, 'old laptop', new Date('2026-11-22T05:00:00Z'));
  revokedToken = revoked.token;
  revokedId = revoked.id;
  await revokeApiToken(database.db, revoked.id, new Date('2026-11-22T05:10:00Z'));
  // The demo sources' first pulls fill 48 hours.
  await waitFor('simulated water readings', async () => Number((await database.db.selectFrom('reading').select((eb) => eb.fn.countAll().as('n')).where('source_id', '=', 'water-simulator').executeTakeFirstOrThrow()).n) === 288);
  // The Beijing pull's cursor moves in the transaction that stores its readings.
  await waitFor('the Beijing readings', async () => (await database.db.selectFrom('source').select('cursor').where('id', '=', 'beijing-replay').executeTakeFirst())?.cursor?.toISOString() === '2026-11-22T05:00:00.000Z');
});
afterAll(async () => {
  await service.stop();
  releaseService();
  await database.drop();
});

const get = async (path: string, bearer: string | null = token, origin = base) => {
  const response = await fetch(origin + path, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  const body: unknown = await response.json();
  return { status: response.status, body, challenge: response.headers.get('www-authenticate') };
};

/** A raw request, for what fetch will not send (a GET with a body). */
function rawRequest(options: { method: string; path: string; body?: string }): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: { authorization: `Bearer ${token}`, ...(options.body ? { 'content-length': Buffer.byteLength(options.body) } : {}) } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

/** The error of connecting to an address, or 'connected'. */
async function connectionTo(origin: string): Promise<string> {
  try {
    await fetch(`${origin}/healthz`);
    return 'connected';
  } catch (error) {
    return ((error as { cause?: { code?: string } }).cause?.code) ?? String(error);
  }
}

describe('HTTP API', () => {
  it('answers health checks and metrics without a token', async () => {
    expect(await get('/healthz', null)).toEqual({ status: 200, body: { status: 'ok' }, challenge: null });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('envmon_alerts_open{');
  });

  it('answers 401 with a Bearer challenge without a token, with an unknown one or with another scheme', async () => {
    const none = await get('/api/alerts', null);
    expect(none).toEqual({ status: 401, body: { error: 'this API needs a bearer token (Authorization: Bearer …); create one with envmon tokens create --name NAME' }, challenge: 'Bearer realm="envmon"' });
    const unknown = await get('/api/alerts', badToken);
    expect(unknown).toEqual({ status: 401, body: { error: 'unknown token' }, challenge: 'Bearer realm="envmon", error="invalid_token"' });
    const basic = await fetch(`${base}/api/alerts`, { headers: { authorization: 'Basic ZGFzaGJvYXJkOnNlY3JldA==' } });
    expect(basic.status).toBe(401);
    // Paths under /api are not revealed to a caller without a token.
    expect((await get('/api/nothing', null)).status).toBe(401);
  });

  it('answers 403 to a revoked token', async () => {
    expect(await get('/api/alerts', revokedToken)).toEqual({ status: 403, body: { error: 'this token was revoked' }, challenge: null });
  });

  it('serves window statistics as the CLI does, with a valid token, and notes when the token was used', async () => {
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
    const used = await database.db.selectFrom('api_token').select(['name', 'last_used_at']).where('name', '=', 'dashboard').executeTakeFirstOrThrow();
    expect(used.last_used_at).toEqual(new Date('2026-11-22T05:17:30Z'));
  });

  it('serves AQI rows and open alerts', async () => {
    const aqi = await get('/api/aqi?site=Dongsi&from=2026-11-21T00:00:00Z&to=2026-11-21T02:00:00Z');
    expect(aqi.status).toBe(200);
    expect((aqi.body as { site: string; standard: string }[]).map((r) => [r.site, r.standard])).toEqual([
      ['Dongsi', 'HJ 633-2026'],
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

  it('answers 400 to a malformed request, an unknown parameter, too many sites or too long a range, and 404 to an unknown path', async () => {
    expect(await get('/api/stats?site=X&parameter=pm2_5&window=week&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z')).toMatchObject({ status: 400, body: { error: 'window must be one of 1h, 8h, 24h, day, month, year' } });
    expect(await get('/api/alerts?limit=5')).toMatchObject({ status: 400, body: { error: 'unknown parameter "limit" (/api/alerts takes all)' } });
    const eleven = Array.from({ length: 11 }, (_, i) => `S${i}`).join(',');
    expect(await get(`/api/aqi?site=${eleven}&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z`)).toMatchObject({ status: 400, body: { error: 'at most 10 sites per request (got 11)' } });
    // 2026-10-01 → 2026-11-22 is 52 days of hourly rows (limit 31).
    expect(await get('/api/aqi?site=Dongsi&from=2026-10-01T00:00:00Z&to=2026-11-22T00:00:00Z')).toMatchObject({ status: 400, body: { error: 'from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values' } });
    expect((await get('/api/nothing')).status).toBe(404);
  });

  it('takes only GET requests without a body, and bounded URLs', async () => {
    expect(await rawRequest({ method: 'POST', path: '/api/alerts', body: '{}' })).toEqual({ status: 405, allow: 'GET' });
    expect(await rawRequest({ method: 'DELETE', path: '/api/alerts' })).toEqual({ status: 405, allow: 'GET' });
    expect((await rawRequest({ method: 'GET', path: '/api/alerts', body: 'x=1' })).status).toBe(400);
    expect((await rawRequest({ method: 'GET', path: `/api/alerts?all=1&${'x'.repeat(5000)}=1` })).status).toBe(414);
  });

  it('listens on 127.0.0.1 only by default: another loopback address is refused', async () => {
    // Every 127.x.y.z address reaches this machine, but a socket bound to 127.0.0.1 accepts only that one.
    expect(await connectionTo(`http://127.0.0.2:${port}`)).toBe('ECONNREFUSED');
    expect(await connectionTo(base)).toBe('connected');
  });

  it('never stores or logs a token in clear', async () => {
    const stored = await sql<{ row: string }>`select row_to_json(t)::text as row from api_token t`.execute(database.db);
    const dump = stored.rows.map((r) => r.row).join('\n');
    expect(stored.rows).toHaveLength(2);
    for (const secret of [token, revokedToken, token.slice('envmon_'.length), revokedToken.slice('envmon_'.length)]) expect(dump).not.toContain(secret);
    // What is kept is the SHA-256 of the token (computed here with node:crypto, as `printf %s TOKEN | sha256sum` would).
    const hash = await database.db.selectFrom('api_token').select('token_sha256').where('name', '=', 'dashboard').executeTakeFirstOrThrow();
    expect(hash.token_sha256.toString('hex')).toBe(createHash('sha256').update(token).digest('hex'));

    const log = logLines.join('\n');
    // The use of a revoked token is logged, by the token's id and name only.
    expect(logLines.some((l) => l.includes('"revoked API token used"') && l.includes(`"tokenId":${revokedId}`) && l.includes('"old laptop"'))).toBe(true);
    for (const secret of [token, revokedToken, badToken]) expect(log).not.toContain(secret.slice('envmon_'.length));
  });
});

describe('HTTP API configured open', () => {
  it('serves the JSON API without a token on every interface, and says so at start', async () => {
    const warnings: string[] = [];
    const log = createLogger({ level: 'warn', write: (line) => warnings.push(line) });
    const config = testConfig({ DATABASE_URL: database.url, ENVMON_HTTP_AUTH: 'none' });
    const server = await startWebServer({ port: 0, host: '0.0.0.0' }, { db: database.db, config, parameterIds: new Map(), log, now: () => new Date() });
    try {
      expect((await get('/api/alerts', null, `http://127.0.0.2:${server.port}`)).status).toBe(200);
      expect(warnings.some((w) => w.includes('"level":"warn"') && w.includes('ENVMON_HTTP_AUTH=none'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
