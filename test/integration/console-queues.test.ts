/**
 * 运维 → 任务队列 on both queue backends (Redis, and BullMQ's PostgreSQL backend): bull-board, read-only, its files
 * served by envmon and nothing loaded from elsewhere, behind the operator guard.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Queues } from '../../workers/enqueue.ts';
import { startConsoleServer, type ConsoleTestServer } from '../support/console-server.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, testConfig } from '../support/test-service.ts';

interface Setup {
  server: ConsoleTestServer;
  queues: Queues;
  operator: { cookie: string; csrf: string };
  viewer: { cookie: string; csrf: string };
}

let database: TestDatabase;
const prefix = uniquePrefix();
const setups = new Map<'redis' | 'postgres', Setup>();

// Both backends are opened before any test runs: what a test opens is checked for leaks at its own end.
beforeAll(async () => {
  database = await createTestDatabase();
  for (const kind of ['redis', 'postgres'] as const) {
    const queues = openTestQueues(testConfig({ DATABASE_URL: database.url, ENVMON_QUEUE_PREFIX: `${prefix}-${kind}` }), database.url, kind === 'redis' ? inject('redisUrl') : null);
    const server = await startConsoleServer({ databaseUrl: database.url, queues: { kind, queues: queues.queues } });
    const setup: Setup = { server, queues, operator: { cookie: '', csrf: '' }, viewer: { cookie: '', csrf: '' } };
    setups.set(kind, setup);
    setup.operator = await server.signIn('operator', `${kind}-operator`);
    setup.viewer = await server.signIn('viewer', `${kind}-viewer`);
  }
});
afterAll(async () => {
  for (const { server, queues } of setups.values()) {
    await server.close();
    await queues.close();
  }
  await deleteRedisPrefix(inject('redisUrl'), `${prefix}-redis`);
  await database?.drop();
});

for (const kind of ['redis', 'postgres'] as const) {
  describe(`queues on ${kind}`, () => {
    const setup = () => {
      const s = setups.get(kind);
      if (!s) throw new Error(`no ${kind} setup`);
      return s;
    };
    const get = (path: string, who: { cookie: string }) => setup().server.app.inject({ method: 'GET', url: path, headers: { cookie: who.cookie } });

    it('refuses a viewer', async () => {
      expect((await get('/operations/queues', setup().viewer)).statusCode).toBe(403);
      expect((await get('/operations/queues/api/queues', setup().viewer)).statusCode).toBe(403);
    });

    it('shows the queues to an operator', async () => {
      const [name, queue] = [...setup().queues.queues][0] ?? [];
      if (!name || !queue) throw new Error('no queues');
      await queue.add('probe', { n: 1 }, { delay: 3_600_000 });
      const page = await get('/operations/queues', setup().operator);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      // Nothing is loaded from another host: the CDN font link is taken out, the scripts are envmon's own.
      expect(page.body).not.toMatch(/(href|src)="https?:/);
      const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.body)?.[1];
      expect(script).toBeDefined();
      const asset = await get(`/operations/queues/${script ?? ''}`, setup().operator);
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toContain('javascript');
      const api = await get('/operations/queues/api/queues', setup().operator);
      expect(api.statusCode).toBe(200);
      const listed = (JSON.parse(api.body) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[] }).queues.find((q) => q.name === name);
      expect(listed).toMatchObject({ readOnlyMode: true });
      expect(listed?.counts.delayed).toBe(1);
    });

    it('refuses bull-board’s actions, even to an operator with the CSRF token', async () => {
      const [name, queue] = [...setup().queues.queues][0] ?? [];
      if (!name || !queue) throw new Error('no queues');
      for (const [method, path] of [
        ['PUT', `/operations/queues/api/queues/${name}/pause`],
        ['PUT', `/operations/queues/api/queues/${name}/empty`],
        ['PUT', `/operations/queues/api/queues/${name}/clean/delayed`],
      ] as const) {
        const answer = await setup().server.app.inject({ method, url: path, headers: { cookie: setup().operator.cookie, 'x-csrf-token': setup().operator.csrf } });
        expect(answer.statusCode, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      }
      expect(await queue.isPaused()).toBe(false);
      expect((await queue.getJobCounts('delayed')).delayed).toBe(1);
    });
  });
}
