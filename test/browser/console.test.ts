/**
 * The console as a person uses it, in Debian's Chromium with the network off: sign in, the overview with real
 * Beijing readings in their HJ 633 colours, a site's chart, acknowledging an alert (and the database agreeing),
 * a viewer refused an operator's action, a POST without its CSRF token refused, and every page loading with
 * nothing from outside envmon. Screenshots of every page go to var/browser/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../cli/commands/import.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema } from '../../config/schema.ts';
import { createMailChannel } from '../../notify/channels/mail.ts';
import { deliverDue, routeOutbox } from '../../notify/deliver-notifications.ts';
import { createConsoleUser } from '../../db/repositories/console-users.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import { startConsoleServer, TEST_PASSWORD, type ConsoleTestServer } from '../support/console-server.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, repoRoot, testConfig } from '../support/test-service.ts';
import { launchOffline, openPage, screenshot, type WatchedPage } from './support/chromium.ts';

/** The part of the browser's window the page functions use (the project compiles without the DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
  echarts: { getInstanceByDom(element: unknown): { getOption(): ChartOption } | undefined };
}
/** An element's box, as the page measures it. */
interface Box {
  scrollWidth: number;
  clientWidth: number;
}
interface ChartOption {
  series: { name: string; data: [string, number | null][]; markLine?: { data: { coord: [string, number] }[][] } }[];
}

let database: TestDatabase;
let server: ConsoleTestServer;
let browser: Browser;
let dir: string;
let config: AppConfig;

// Two real stations of the shipped Beijing data: Dongsi up to 2016-01-02 18:00 (a heavy-pollution evening, after
// which it falls silent) and Tiantan up to 2016-01-04 08:00 (clean air after a cold front). "Now" is 08:30 that day.
const NOW = new Date('2016-01-04T00:30:00Z');
const slice = (station: string, lastLine: number) => readFileSync(path.join(repoRoot, `data/beijing-multisite/PRSA_Data_${station}_2016.csv`), 'utf8').split('\n').slice(0, lastLine).join('\n') + '\n';

beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig({ DATABASE_URL: database.url });
  await syncConfig(database.db, config);
  dir = mkdtempSync(path.join(tmpdir(), 'envmon-browser-'));
  // File lines: 1 is the header, 2 is 2016-01-01 00:00 (closing 2015-12-31), 44 is 2016-01-02 18:00, 82 is 2016-01-04 08:00.
  for (const [station, lastLine] of [['Dongsi', 44], ['Tiantan', 82]] as const) {
    const file = path.join(dir, `${station}.csv`);
    writeFileSync(file, slice(station, lastLine));
    const code = await importCommand.run({ values: { format: 'csv', mapping: path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), json: true }, positionals: [file] }, { config, log: quietLog, out: () => undefined });
    expect(code).toBe(0);
  }
  server = await startConsoleServer({ databaseUrl: database.url, now: () => NOW });
  for (const [name, role] of [['duty', 'operator'], ['reader', 'viewer']] as const) {
    await createConsoleUser(database.db, { name, role, passwordHash: await hashPassword(TEST_PASSWORD), mustChangePassword: false }, NOW);
  }
  browser = await launchOffline();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signedIn(name: string): Promise<{ context: BrowserContext; watched: WatchedPage }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(10_000);
  const watched = await openPage(context);
  await watched.page.goto(`${server.url}/`);
  // Not signed in: the console sends the browser to its sign-in form.
  expect(new URL(watched.page.url()).pathname).toBe('/login');
  await watched.page.fill('input[name="name"]', name);
  await watched.page.fill('input[name="password"]', TEST_PASSWORD);
  await Promise.all([watched.page.waitForURL(`${server.url}/`), watched.page.click('button[type="submit"]')]);
  return { context, watched };
}

function expectOnlyEnvmon(watched: WatchedPage): void {
  expect(watched.requested.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'))).toEqual([]);
  expect(watched.failures).toEqual([]);
  // CSP violations and script errors are reported as console errors.
  expect(watched.consoleErrors).toEqual([]);
}

describe('the console in Chromium', () => {
  it('signs an operator in and shows the seeded sites in their HJ 633 category colours', async () => {
    const { context, watched } = await signedIn('duty');
    const { page } = watched;
    // Dongsi, 2016-01-02 18:00: PM2.5 237 μg/m³ on the 24-h breakpoints (150→200, 250→300): IAQI 287; PM10 260
    // (250→150, 350→200): 155; NO2 127 (1-h, 100→50, 200→100): 64; CO 3.3 mg/m³ (1-h 0→0, 5→50): 33. AQI 287,
    // 重度污染, HJ 633-2012 Table 2 colour (153, 0, 76).
    // Tiantan, 2016-01-04 08:00: PM2.5 12 (0→0, 35→50): 18 rounded up; PM10 20 (0→0, 50→50): 20; NO2 35: 18;
    // O3 45 (1-h 0→0, 160→50): 15. AQI 20, 优, colour (0, 228, 0).
    const dongsi = page.locator('tr', { hasText: '北京东四' });
    const tiantan = page.locator('tr', { hasText: '北京天坛' });
    await expect.poll(() => dongsi.count()).toBe(1);
    const aqiCell = (row: typeof dongsi) => row.locator('td.aqi');
    expect(await aqiCell(dongsi).locator('.v').textContent()).toBe('287');
    expect(await aqiCell(tiantan).locator('.v').textContent()).toBe('20');
    const colour = (row: typeof dongsi) => aqiCell(row).evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor);
    expect(await colour(dongsi)).toBe('rgb(153, 0, 76)');
    expect(await colour(tiantan)).toBe('rgb(0, 228, 0)');
    await screenshot(page, 'overview');
    expectOnlyEnvmon(watched);
    await context.close();
  });

  it('draws a site chart of the hourly values with the GB 3095 limit of the date', async () => {
    const { context, watched } = await signedIn('duty');
    const { page } = watched;
    await Promise.all([page.waitForURL(`${server.url}/sites/Dongsi`), page.locator('tr', { hasText: '北京东四' }).locator('a').first().click()]);
    const chart = page.locator('.chart[data-parameter="pm2_5"]');
    await chart.locator('canvas').waitFor();
    const option = await chart.evaluate((el) => (globalThis as unknown as BrowserWindow).echarts.getInstanceByDom(el)?.getOption());
    // Dongsi's PM2.5 in the file: every row from 2016-01-01 00:00 to 2016-01-02 18:00 that is not NA, in order.
    const expected = slice('Dongsi', 44).trim().split('\n').slice(1).map((line) => line.split(',')[5]).filter((v) => v !== 'NA').map(Number);
    const hourly = option?.series[0];
    expect(hourly?.data.map(([, v]) => v)).toEqual(expected);
    // GB 3095-2012 Table 1, PM2.5 24-h mean, Grade II: 75 μg/m³ (the data are of 2016, before the 2026 edition).
    expect(hourly?.markLine?.data.map(([from]) => from?.coord[1])).toContain(75);
    await screenshot(page, 'site-dongsi');
    expectOnlyEnvmon(watched);
    await context.close();
  });

  it('lets an operator acknowledge an alert with a note, and the database records who and why', async () => {
    // The Dongsi evening breaks the PM2.5 24-h Grade II limit (75 μg/m³) for hours on end: the shipped rule fires.
    const alert = await database.db.selectFrom('alert').innerJoin('site', 'site.id', 'alert.site_id').select(['alert.id']).where('alert.rule_id', '=', 'air-pm25-24h-grade2').where('site.code', '=', 'Dongsi').where('alert.state', '=', 'firing').executeTakeFirstOrThrow();
    const { context, watched } = await signedIn('duty');
    const { page } = watched;
    await page.goto(`${server.url}/alerts`);
    await screenshot(page, 'alerts');
    await Promise.all([page.waitForURL(`${server.url}/alerts/${alert.id}`), page.locator(`a[href="/alerts/${alert.id}"]`).first().click()]);
    await page.fill('textarea[name="note"]', '已电话通知东四站运维，核实中');
    await Promise.all([page.waitForURL((u) => u.pathname === `/alerts/${alert.id}`), page.locator('form.ack-form button[type="submit"]').click()]);
    await screenshot(page, 'alert-acknowledged');
    const row = await database.db.selectFrom('alert').select(['acknowledged_by', 'ack_note', 'acknowledged_at']).where('id', '=', alert.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ acknowledged_by: 'duty', ack_note: '已电话通知东四站运维，核实中' });
    expect(row.acknowledged_at).not.toBeNull();
    const audit = await database.db.selectFrom('audit_log').select(['user_name', 'action', 'target']).where('action', '=', 'alert.acknowledge').execute();
    expect(audit).toEqual([{ user_name: 'duty', action: 'alert.acknowledge', target: `alert:${alert.id}` }]);
    await expect.poll(() => page.locator('main').textContent()).toContain('已电话通知东四站运维，核实中');
    expectOnlyEnvmon(watched);
    await context.close();
  });

  it("refuses a viewer an operator's action, and any POST without the session's CSRF token", async () => {
    const alert = await database.db.selectFrom('alert').select(['id']).where('rule_id', '=', 'air-pm25-24h-grade2').orderBy('id').executeTakeFirstOrThrow();
    const before = await database.db.selectFrom('alert').select(['acknowledged_by', 'ack_note']).where('id', '=', alert.id).executeTakeFirstOrThrow();
    const { context, watched } = await signedIn('reader');
    const { page } = watched;
    await page.goto(`${server.url}/alerts/${alert.id}`);
    // A viewer sees the alert but no form to act on it, and no Operations page.
    expect(await page.locator('form.ack-form, form.silence-form').count()).toBe(0);
    expect(await page.locator('nav a[href="/operations"]').count()).toBe(0);
    await screenshot(page, 'alert-as-viewer');
    // The same POST the operator's form sends, from the viewer's signed-in page with the session's token: refused.
    const post = (withToken: boolean) =>
      page.evaluate(
        async ({ id, withToken }) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
          const token = doc.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
          const body = new URLSearchParams({ note: 'viewer tries', ...(withToken ? { _csrf: token } : {}) });
          const response = await fetch(`/alerts/${id}/ack`, { method: 'POST', body, redirect: 'manual' });
          return response.status;
        },
        { id: alert.id, withToken },
      );
    expect(await post(true)).toBe(403);
    await context.close();
    // An operator's page without the token (a forged cross-site form would have none): refused as well.
    const operator = await signedIn('duty');
    await operator.watched.page.goto(`${server.url}/alerts/${alert.id}`);
    expect(
      await operator.watched.page.evaluate(async (id) => (await fetch(`/alerts/${id}/ack`, { method: 'POST', body: new URLSearchParams({ note: 'no token' }), redirect: 'manual' })).status, alert.id),
    ).toBe(403);
    await operator.context.close();
    const after = await database.db.selectFrom('alert').select(['acknowledged_by', 'ack_note']).where('id', '=', alert.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it("opens the alert in the console from the link in the duty officer's mail", async () => {
    const smtp = await startSmtpSink();
    const mail = createMailChannel(smtp.url, '/nonexistent', 5_000);
    try {
      const mailConfig: AppConfig = {
        ...config,
        recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org' })],
        notifications: notificationsSchema.parse({ groupSeconds: 0, linkBase: server.url }),
        smtpUrl: smtp.url,
      };
      // The import left the alerts' notifications in the outbox; the notify job's two steps send them.
      const deps = { db: database.db, config: mailConfig, parameterIds: await syncConfig(database.db, mailConfig), mail, log: quietLog, now: () => new Date(Date.now() + 3_600_000) };
      await routeOutbox(deps);
      await deliverDue(deps);
      await expect.poll(() => smtp.accepted().length).toBeGreaterThan(0);
      const received = smtp.accepted()[0]?.parsed;
      const html = typeof received?.html === 'string' ? received.html : '';
      const alert = await database.db.selectFrom('alert').innerJoin('site', 'site.id', 'alert.site_id').select(['alert.id']).where('alert.rule_id', '=', 'air-pm25-24h-grade2').where('site.code', '=', 'Dongsi').executeTakeFirstOrThrow();
      const { context, watched } = await signedIn('duty');
      const { page } = watched;
      // The mail as a phone shows it, then its link to the Dongsi alert, tapped.
      await page.setViewportSize({ width: 412, height: 900 });
      await page.setContent(html);
      await screenshot(page, 'mail-alert');
      const link = page.locator(`a[href="${server.url}/alerts/${alert.id}"]`).first();
      expect(await link.count()).toBe(1);
      await Promise.all([page.waitForURL(`${server.url}/alerts/${alert.id}`), link.click()]);
      expect(await page.locator('h1').textContent()).toContain(String(alert.id));
      await screenshot(page, 'mail-link-opened');
      // The list the alert came from, on the same phone: the page never scrolls sideways (wide tables scroll in their
      // own box), and the alerts list fits without that.
      for (const [name, url] of [['phone-alerts', '/alerts'], ['phone-overview', '/'], ['phone-targets', '/targets?asOf=2026-06-30']] as const) {
        await page.goto(`${server.url}${url}`);
        expect(await page.locator('html').evaluate((el) => (el as unknown as Box).scrollWidth), url).toBeLessThanOrEqual(412);
        await screenshot(page, name);
      }
      await page.goto(`${server.url}/alerts`);
      const overflow = await page.locator('.table-wrap:has(table.alerts)').evaluateAll((boxes) => (boxes as unknown as Box[]).map((b) => b.scrollWidth - b.clientWidth));
      expect(overflow.length).toBeGreaterThan(0);
      expect(overflow.every((px) => px <= 0), `alerts list wider than its box by ${overflow.join(', ')} px`).toBe(true);
      await context.close();
    } finally {
      mail.close();
      await smtp.close();
    }
  });

  it('serves every page in Chinese and English with nothing from outside envmon', async () => {
    const alert = await database.db.selectFrom('alert').select(['id']).orderBy('id').executeTakeFirstOrThrow();
    // January 2016's monthly report, as the report job records one it has made (the page builds it from the data).
    await database.db.insertInto('period_report').values({ kind: 'monthly', period: '2016-01' }).onConflict((c) => c.doNothing()).execute();
    const { context, watched } = await signedIn('duty');
    const { page } = watched;
    const pages: [string, string][] = [
      ['overview', '/'],
      ['sites', '/sites'],
      ['site-tiantan', '/sites/Tiantan'],
      ['site-water', '/sites/JC-SW-WULIANG'],
      ['alerts', '/alerts'],
      ['alert', `/alerts/${alert.id}`],
      ['targets', '/targets'],
      ['reports', '/reports'],
      ['report-daily', '/reports/daily/2016-01-02'],
      ['report-monthly', '/reports/monthly/2016-01'],
      ['operations', '/operations'],
      ['operations-sources', '/operations/sources'],
      ['operations-quarantine', '/operations/quarantine'],
      ['operations-deliveries', '/operations/deliveries'],
      ['operations-audit', '/operations/audit'],
    ];
    for (const lang of ['zh', 'en'] as const) {
      for (const [name, url] of pages) {
        // A day's report draws its charts on the server: allow it longer than a page.
        const response = await page.goto(`${server.url}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`, { timeout: 60_000 });
        expect(response?.status(), url).toBe(200);
        // The daily report is a document in Chinese (as mailed); every console page follows the switch.
        expect(await page.locator('html').getAttribute('lang'), url).toBe(lang === 'zh' || name === 'report-daily' ? 'zh-CN' : 'en');
        await screenshot(page, `${lang}-${name}`);
      }
    }
    expectOnlyEnvmon(watched);
    await context.close();
  });
});
