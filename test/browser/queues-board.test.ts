/** bull-board under the console's Content-Security-Policy in a real Chromium: it renders, and nothing is refused. */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Queues } from '../../workers/enqueue.ts';
import { startConsoleServer, type ConsoleTestServer } from '../support/console-server.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let server: ConsoleTestServer;
let queues: Queues;
const prefix = uniquePrefix();

beforeAll(async () => {
  database = await createTestDatabase();
  queues = openTestQueues(testConfig({ DATABASE_URL: database.url, ENVMON_QUEUE_PREFIX: prefix }), database.url, inject('redisUrl'));
  server = await startConsoleServer({ databaseUrl: database.url, queues: { kind: 'redis', queues: queues.queues } });
});
afterAll(async () => {
  await server?.close();
  await queues?.close();
  await deleteRedisPrefix(inject('redisUrl'), prefix);
  await database?.drop();
});

it('renders the queue board with no request refused by the CSP or sent to another host', async () => {
  const { cookie } = await server.signIn('operator');
  const [name] = [...queues.queues.keys()];
  const browser = await chromium.launch({ executablePath: process.env.ENVMON_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext();
    const [cookieName, cookieValue] = cookie.split('=') as [string, string];
    await context.addCookies([{ name: cookieName, value: cookieValue, url: server.url }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) problems.push(`request to ${r.url()}`);
    });
    await page.goto(`${server.url}/operations/queues`);
    await page.getByText(name ?? '').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: '/tmp/alertops-queues-board.png' });
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});
