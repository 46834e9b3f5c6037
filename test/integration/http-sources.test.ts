/** HTTP sources against a local server: OpenAQ v3, a mapped JSON feed with time-cursor pages, CSV exports, and the limits of every read. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedSource } from '../../config/load-config.ts';
import { normalizeRecord } from '../../ingest/normalize.ts';
import { fetchBounded, redirectTarget } from '../../lib/http-fetch.ts';
import { createAdapter } from '../../sources/create-adapter.ts';
import type { SourceRecord } from '../../sources/source-adapter.ts';
import { startTestServer, type TestServer } from '../support/http-server.ts';
import { repoRoot } from '../support/test-service.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

let server: TestServer | null = null;
let other: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  await other?.close();
  server = null;
  other = null;
});

/** Loads one source from a configuration written for the test, with the given environment. */
function sourceFrom(yaml: string, env: Record<string, string> = {}): LoadedSource {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-http-'));
  writeFileSync(path.join(dir, 'sources.yaml'), yaml);
  const config = loadConfig({ ENVMON_CONFIG: path.join(dir, 'sources.yaml'), ...env }, repoRoot);
  const [source] = config.sources;
  if (!source) throw new Error('no source');
  return source;
}

async function fetchAll(source: LoadedSource, since: string, until: string): Promise<SourceRecord[]> {
  const adapter = createAdapter(source);
  if (!adapter) throw new Error('no adapter');
  const out: SourceRecord[] = [];
  for await (const r of adapter.fetch({ since: new Date(since), until: new Date(until) }, new AbortController().signal)) out.push(r);
  return out;
}

const sites = 'sites:\n  - { code: S1, nameZh: 站一, nameEn: S1, kind: air_station, area: X }\n';

describe('OpenAQ v3', () => {
  it('reads hourly results with the API key header, keeping flags and refusing ppm', async () => {
    const body = readFileSync(path.join(repoRoot, 'test/fixtures/openaq/sensor-hours.json'), 'utf8');
    server = await startTestServer((req, res) => res.writeHead(req.headers['x-api-key'] === 'k-123456' ? 200 : 401, { 'content-type': 'application/json' }).end(body));
    const source = sourceFrom(`${sites}sources:\n  - { id: oaq, kind: openaq, name: OpenAQ, schedule: "5 * * * *", baseUrl: "${server.url}", apiKeyEnv: OPENAQ_KEY, sensors: [{ id: 3917, site: S1 }] }\n`, { OPENAQ_KEY: 'k-123456' });
    const records = await fetchAll(source, '2026-11-21T00:00:00Z', '2026-11-21T06:00:00Z');
    expect(server.requests[0]?.url).toBe('/v3/sensors/3917/hours?datetime_from=2026-11-21T00%3A00%3A00.000Z&datetime_to=2026-11-21T06%3A00%3A00.000Z&limit=1000&page=1');
    const now = new Date('2026-11-22T00:00:00Z');
    const normalized = records.map((r) => normalizeRecord(r, { now, futureToleranceMs: 0 }));
    expect(normalized.flatMap((n) => n.readings).map((r) => [r.parameter, r.observedAt, r.value, r.unit, r.flag])).toEqual([
      ['pm2_5', '2026-11-21T01:00:00.000Z', '35.4', 'μg/m³', 'N'],
      ['pm2_5', '2026-11-21T02:00:00.000Z', '41', 'μg/m³', 'Q'],
    ]);
    expect(normalized.flatMap((n) => n.rejections).map((r) => r.code)).toEqual(['unknown_unit', 'malformed']);
  });
});

describe('mapped JSON feed', () => {
  it('follows time-cursor pages with the credential from the environment', async () => {
    const pages: Record<string, unknown> = {
      '2026-11-21T16:00:00.000Z': { data: [1, 2].map((h) => ({ station: { code: 'S1' }, time: `2026-11-22 0${h}:00`, measurements: [{ name: 'PM2.5', v: 30 + h }, { name: 'CO', v: 0.6 }] })) },
      '2026-11-21T18:00:00.000Z': { data: [{ station: { code: 'S1' }, time: '2026-11-22 03:00', measurements: [{ name: 'PM2.5', v: 33 }] }, { station: { code: 'S1' }, time: 'yesterday' }] },
    };
    server = await startTestServer((req, res) => {
      const since = new URL(req.url ?? '', 'http://x').searchParams.get('since') ?? '';
      res.writeHead(req.headers.authorization === 'Bearer t0ken-xyz' ? 200 : 403, { 'content-type': 'application/json' }).end(JSON.stringify(pages[since] ?? { data: [] }));
    });
    const source = sourceFrom(
      `${sites}sources:
  - id: feed
    kind: http-json
    name: Feed
    schedule: "5 * * * *"
    url: "${server.url}/readings?since={since}&until={until}&limit={limit}"
    auth: { name: Authorization, valueEnv: FEED_TOKEN, prefix: "Bearer " }
    pagination: { limit: 2 }
    mapping:
      items: "$.data[*]"
      site: station.code
      time: { path: time, format: local }
      pairs: { path: "measurements[*]", parameter: name, value: v, parameters: { PM2.5: pm2_5, CO: co }, defaultUnit: "μg/m³" }
`,
      { FEED_TOKEN: 't0ken-xyz' },
    );
    const records = await fetchAll(source, '2026-11-21T16:00:00Z', '2026-11-21T22:00:00Z');
    // 01:00 and 02:00 Beijing time are 17:00 and 18:00 UTC the day before; the second page starts after 18:00.
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer t0ken-xyz')).toBe(true);
    expect(server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('since'))).toEqual(['2026-11-21T16:00:00.000Z', '2026-11-21T18:00:00.000Z', '2026-11-21T19:00:00.000Z']);
    expect(records.filter((r) => r.problem).map((r) => [r.problem, r.raw])).toEqual([['no valid time at "time"', '{"station":{"code":"S1"},"time":"yesterday"}']]);
    expect(records.flatMap((r) => r.readings.map((x) => `${x.parameter}=${x.value} ${x.observedAt.toISOString()}`))).toEqual([
      'pm2_5=31 2026-11-21T17:00:00.000Z',
      'co=0.6 2026-11-21T17:00:00.000Z',
      'pm2_5=32 2026-11-21T18:00:00.000Z',
      'co=0.6 2026-11-21T18:00:00.000Z',
      'pm2_5=33 2026-11-21T19:00:00.000Z',
    ]);
  });

  it('names a missing credential variable in the configuration error', () => {
    expect(() => sourceFrom(`${sites}sources:\n  - { id: f, kind: http-json, name: F, schedule: "5 * * * *", url: "http://127.0.0.1/x", auth: { valueEnv: NO_SUCH_TOKEN }, mapping: { site: s, time: { path: t }, values: [{ path: v, parameter: pm10, unit: "μg/m³" }] } }\n`)).toThrow(
      'sources[0].auth.valueEnv: got NO_SUCH_TOKEN unset, expected the credential in environment variable NO_SUCH_TOKEN',
    );
  });
});

describe('CNEMC feed over HTTP', () => {
  it('reads the platform CSV and keeps the hour inside the window', async () => {
    const csv = readFileSync(path.join(repoRoot, 'test/fixtures/cnemc/2022-03-07T12-north.csv'));
    server = await startTestServer((_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(csv));
    const source = sourceFrom(`${sites}sources:\n  - { id: cn, kind: cnemc, name: CNEMC, schedule: "20 * * * *", url: "${server.url}/latest.csv", registerSites: true }\n`);
    // 12:00 Beijing time is 04:00 UTC.
    expect(await fetchAll(source, '2022-03-07T03:00:00Z', '2022-03-07T04:00:00Z')).toHaveLength(88);
    expect(await fetchAll(source, '2022-03-07T04:00:00Z', '2022-03-07T05:00:00Z')).toHaveLength(0);
  });
});

describe('CSV export over HTTP', () => {
  it('keeps only rows inside the window', async () => {
    const csv = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv'), 'utf8').split(/\r?\n/).slice(0, 30).join('\n');
    server = await startTestServer((_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(csv));
    const source = sourceFrom(`${sites}sources:\n  - { id: c, kind: csv-url, name: C, schedule: "5 * * * *", url: "${server.url}/export.csv", mapping: ${path.join(repoRoot, 'config/mappings/beijing-multisite.yaml')} }\n`);
    // 2016-01-01 03:00 to 06:00 Beijing time.
    const records = await fetchAll(source, '2015-12-31T19:00:00Z', '2015-12-31T22:00:00Z');
    expect(records.map((r) => r.raw.split(',').slice(2, 5).join('-'))).toEqual(['1-1-4', '1-1-5', '1-1-6']);
  });
});

describe('bounded HTTP reads', () => {
  const limits = { timeoutMs: 2000, readTimeoutMs: 300, maxBytes: 10_000 };

  it('refuses other schemes', async () => {
    await expect(fetchBounded('file:///etc/passwd', limits)).rejects.toThrow('only http and https URLs are allowed, not file:');
  });

  it('gives up on a server that never answers, without showing the query (tokens)', async () => {
    server = await startTestServer(() => undefined);
    await expect(fetchBounded(`${server.url}/slow?token=secret-abc`, { ...limits, timeoutMs: 300 })).rejects.toThrow(new RegExp(`^${server.url}/slow: no complete response within 300 ms$`));
  });

  it('gives up on a body that stalls, and on one that is too large', async () => {
    server = await startTestServer((req, res) => {
      res.writeHead(200, req.url === '/declared' ? { 'content-length': '50000' } : {});
      if (req.url === '/stall' || req.url === '/declared') res.write('partial');
      else res.end('x'.repeat(50_000));
    });
    await expect(fetchBounded(`${server.url}/stall`, limits)).rejects.toThrow('no data for 300 ms');
    await expect(fetchBounded(`${server.url}/big`, limits)).rejects.toThrow('exceeds the limit of 10000');
    // A declared length over the limit is refused before any of the body is waited for.
    await expect(fetchBounded(`${server.url}/declared`, limits)).rejects.toThrow('response of 50000 bytes exceeds the limit of 10000');
  });
});

describe('redirects', () => {
  const limits = { timeoutMs: 2000, readTimeoutMs: 1000, maxBytes: 10_000 };
  const body = readFileSync(path.join(repoRoot, 'test/fixtures/openaq/sensor-hours.json'), 'utf8');

  it('sends the OpenAQ key to the configured server only, not to another origin it redirects to', async () => {
    // The other origin is the same host on another port: an origin is scheme, host and port.
    other = await startTestServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const elsewhere = other.url;
    server = await startTestServer((req, res) => res.writeHead(302, { location: `${elsewhere}${req.url ?? ''}` }).end());
    const source = sourceFrom(`${sites}sources:\n  - { id: oaq, kind: openaq, name: OpenAQ, schedule: "5 * * * *", baseUrl: "${server.url}", apiKeyEnv: OPENAQ_KEY, sensors: [{ id: 3917, site: S1 }] }\n`, { OPENAQ_KEY: 'k-123456' });
    const records = await fetchAll(source, '2026-11-21T00:00:00Z', '2026-11-21T06:00:00Z');
    expect(records).toHaveLength(4);
    expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual(['k-123456']);
    expect(other.requests.map((r) => [r.url.split('?')[0], r.headers['x-api-key'], r.headers.authorization, r.headers.cookie])).toEqual([['/v3/sensors/3917/hours', undefined, undefined, undefined]]);
  });

  it('drops Authorization and Cookie on the way to another origin and keeps them on the same origin', async () => {
    other = await startTestServer((_req, res) => res.writeHead(200).end('elsewhere'));
    const elsewhere = other.url;
    server = await startTestServer((req, res) => {
      if (req.url === '/moved') res.writeHead(301, { location: '/here' }).end();
      else if (req.url === '/here') res.writeHead(307, { location: `${elsewhere}/there` }).end();
      else res.writeHead(404).end();
    });
    const headers = { authorization: 'Bearer t0ken-xyz', cookie: 'session=abc', 'X-Feed-Key': 'fk-1' };
    const response = await fetchBounded(`${server.url}/moved`, { ...limits, headers });
    expect(response.body.toString()).toBe('elsewhere');
    expect(server.requests.map((r) => [r.url, r.headers.authorization, r.headers.cookie, r.headers['x-feed-key']])).toEqual([
      ['/moved', 'Bearer t0ken-xyz', 'session=abc', 'fk-1'],
      ['/here', 'Bearer t0ken-xyz', 'session=abc', 'fk-1'],
    ]);
    expect(other.requests.map((r) => [r.url, r.headers.authorization, r.headers.cookie, r.headers['x-feed-key']])).toEqual([['/there', undefined, undefined, undefined]]);
  });

  it('gives up after five redirects, naming the URL without its query', async () => {
    server = await startTestServer((req, res) => res.writeHead(302, { location: req.url ?? '/' }).end());
    await expect(fetchBounded(`${server.url}/loop?token=secret-abc`, limits)).rejects.toThrow(new RegExp(`^${server.url}/loop: more than 5 redirects$`));
    expect(server.requests).toHaveLength(6);
  });

  it('never follows https to http, nor to another scheme, and keeps credentials on the origin they were given for', () => {
    const headers = { Authorization: 'Bearer x', 'X-API-Key': 'k', Accept: 'application/json' };
    expect(() => redirectTarget(new URL('https://feed.example.org/a'), 'http://feed.example.org/b', headers)).toThrow('https://feed.example.org/a: redirected from https to http');
    expect(() => redirectTarget(new URL('https://feed.example.org/a'), 'file:///etc/passwd', headers)).toThrow('https://feed.example.org/a: redirected away from http/https');
    expect(redirectTarget(new URL('http://feed.example.org/a'), 'https://feed.example.org/b', headers)).toEqual({ url: new URL('https://feed.example.org/b'), headers: {} });
    expect(redirectTarget(new URL('https://feed.example.org/a?x=1'), '/b?y=2', headers)).toEqual({ url: new URL('https://feed.example.org/b?y=2'), headers });
    expect(redirectTarget(new URL('https://feed.example.org/a'), 'https://feed.example.org:8443/b', headers)).toEqual({ url: new URL('https://feed.example.org:8443/b'), headers: {} });
  });
});
