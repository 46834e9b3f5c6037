/**
 * The read-only pages in the real console server (sessions, guards, security headers) with the shipped
 * configuration: a signed-in viewer sees the overview and a site page; without a session the pages redirect to
 * sign-in; every script and style comes from envmon itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParameterIds } from '../../db/repositories/parameters.repository.ts';
import { hourlyRows, storeHours } from '../support/console-seed.ts';
import { startConsoleServer, type ConsoleTestServer } from '../support/console-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** 2025-11-20 12:30 Beijing time. */
const NOW = new Date('2025-11-20T04:30:00Z');
let database: TestDatabase;
let server: ConsoleTestServer;
let viewer: { cookie: string };

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startConsoleServer({ databaseUrl: database.url, now: () => NOW });
  const parameterIds = await loadParameterIds(database.db);
  // PM2.5 40 → HJ 633-2012 IAQI 50 + 50/40 × 5 = 56.25 → 57; PM10 60 → 55; the rest lower: AQI 57 良, primary PM2.5.
  await storeHours({ db: database.db, pool: database.pool, parameterIds, now: () => NOW }, null, null,
    hourlyRows('JC-AIR-TOWN', { pm2_5: '40', pm10: '60', so2: '10', no2: '40', co: '0.8', o3: '100' }, Date.parse('2025-11-20T12:00:00+08:00'), 24));
  viewer = await server.signIn('viewer');
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

describe('read-only pages in the console server', () => {
  it('shows a signed-in viewer the overview with the AQI in its category colour', async () => {
    const response = await fetch(`${server.url}/`, { headers: { cookie: viewer.cookie } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toMatch(/<tr data-site="JC-AIR-TOWN"[^>]*>[\s\S]*?<td class="aqi aqi-2"><span class="v">57<\/span> <span class="cat">良<\/span><\/td><td>PM2.5<\/td>/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Nothing inline for the CSP to block, nothing from elsewhere.
    expect(page).not.toMatch(/style="|<style|<script(?![^>]*(src="\/assets\/|type="application\/json"))/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('sends a visitor without a session to sign in', async () => {
    for (const path of ['/', '/sites/JC-AIR-TOWN', '/sites/JC-AIR-TOWN/data.csv', '/targets', '/reports']) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect([302, 303]).toContain(response.status);
      expect(response.headers.get('location')).toMatch(/^\/login/);
    }
  });

  it('serves the site page with its chart scripts, and the CSV', async () => {
    const page = await fetch(`${server.url}/sites/JC-AIR-TOWN?from=2025-11-19&to=2025-11-20`, { headers: { cookie: viewer.cookie } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<script src="/assets/echarts.min.js"></script>');
    expect(body).toContain('<script src="/assets/site-chart.js"></script>');
    const csv = await fetch(`${server.url}/sites/JC-AIR-TOWN/data.csv?from=2025-11-19&to=2025-11-20`, { headers: { cookie: viewer.cookie } });
    expect(await csv.text()).toContain('JC-AIR-TOWN,2025-11-20T12:00:00+08:00,pm2_5,μg/m³,40,,40,');
    for (const asset of ['console.css', 'echarts.min.js', 'site-chart.js']) expect((await fetch(`${server.url}/assets/${asset}`)).status).toBe(200);
  });
});
