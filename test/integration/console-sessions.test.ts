/**
 * Signing in to the console: sessions, cookies, CSRF, the sign-in limit, one-time passwords and the guards, on the
 * real server and database. The guards are tried on probe routes of an application built around the real session
 * plugin; sessions live in the database, so a cookie from the listening server works there too.
 */
import { createHash } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../db/repositories/audit.repository.ts';
import { createConsoleUser, disableConsoleUser, findConsoleUser } from '../../db/repositories/console-users.repository.ts';
import { hashPassword, verifyPassword } from '../../lib/password-hash.ts';
import { createGuards } from '../../web/guards.ts';
import { buildConsoleApp } from '../../web/server.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { signInWithPassword, startConsoleServer, TEST_PASSWORD, type ConsoleTestServer } from '../support/console-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';
import { trackResource } from '../support/resources.ts';

let database: TestDatabase;
let server: ConsoleTestServer;
/** The guards' probe application, with the default configuration. */
let app: ProbeApp;
/** The servers' clock: each test starts 16 minutes after the last, outside the sign-in limit's 15-minute window. */
let clock = new Date('2026-12-01T00:00:00Z');
const now = () => clock;
const advance = (minutes: number) => (clock = new Date(clock.getTime() + minutes * 60_000));

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startConsoleServer({ databaseUrl: database.url, now });
  app = await probeApp();
});
afterAll(async () => {
  await app.close();
  await server.close();
  await database.drop();
});
beforeEach(() => {
  advance(16);
});

interface ProbeApp {
  inject(o: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** An application with the real session plugin and guards, and three probe routes behind them. */
async function probeApp(change: (config: AppConfig) => AppConfig = (c) => c): Promise<ProbeApp> {
  const config = change(testConfig({ DATABASE_URL: database.url }));
  const deps = { db: database.db, config, parameterIds: new Map(), log: quietLog, now };
  const app = await buildConsoleApp(deps);
  const guards = createGuards(deps);
  app.get('/probe/read', { preHandler: guards.read }, async () => ({ read: true }));
  app.get('/probe/ops', { preHandler: guards.operatorRead }, async () => ({ ops: true }));
  app.post('/probe/act', { preHandler: guards.operatorAction }, async () => ({ acted: true }));
  await app.ready();
  const release = trackResource('probe app');
  return {
    inject: (o) => app.inject(o),
    close: async () => {
      await app.close();
      release();
    },
  };
}

async function addUser(name: string, role: 'viewer' | 'operator', password: string, mustChange: boolean): Promise<number> {
  const user = await createConsoleUser(database.db, { name, role, passwordHash: await hashPassword(password), mustChangePassword: mustChange }, new Date());
  if (!user) throw new Error(`user ${name} exists`);
  return user.id;
}

describe('signing in', () => {
  it('opens a session with a random cookie whose SHA-256 alone is stored, HttpOnly, SameSite=Lax, lasting 12 hours', async () => {
    await addUser('zhang.wei', 'viewer', 'a long passphrase 1', false);
    const signed = await signInWithPassword(server.url, 'zhang.wei', 'a long passphrase 1');
    expect([signed.status, signed.location]).toEqual([303, '/']);
    const attributes = (signed.setCookie ?? '').split(';').map((a) => a.trim());
    // 32 random bytes in base64url: 43 characters.
    expect(attributes[0]).toMatch(/^envmon_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['Max-Age=43200', 'Path=/', 'HttpOnly', 'SameSite=Lax']));
    expect(attributes).not.toContain('Secure');
    const token = (signed.cookie ?? '').slice('envmon_session='.length);
    const rows = await database.db.selectFrom('console_session').innerJoin('console_user', 'console_user.id', 'console_session.user_id').select(['token_sha256', 'expires_at']).where('name', '=', 'zhang.wei').execute();
    expect(rows.map((r) => r.token_sha256.toString('hex'))).toEqual([createHash('sha256').update(token).digest('hex')]);
    expect(rows[0]?.expires_at).toEqual(new Date(clock.getTime() + 12 * 3_600_000));
    const audit = await listAudit(database.db, { limit: 1, actionPrefix: 'login' });
    expect(audit.map((a) => [a.action, a.user_name, a.remote])).toEqual([['login', 'zhang.wei', '127.0.0.1']]);
  });

  it('marks the cookie Secure when a trusted proxy says the request came over https', async () => {
    await addUser('proxy.user', 'viewer', 'a long passphrase 2', false);
    const app = await probeApp((c) => ({ ...c, console: { ...c.console, trustProxy: true } }));
    try {
      const form = await app.inject({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
      const loginCookie = form.cookies.find((c) => c.name === 'envmon_login');
      const response = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded', cookie: `envmon_login=${loginCookie?.value ?? ''}` },
        payload: new URLSearchParams({ _csrf: csrf, name: 'proxy.user', password: 'a long passphrase 2' }).toString(),
      });
      expect(response.statusCode).toBe(303);
      expect(response.cookies.find((c) => c.name === 'envmon_session')?.secure).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('refuses a wrong password and an unknown user with the same words, and writes both to the audit trail', async () => {
    await addUser('li.na', 'operator', 'a long passphrase 3', false);
    const wrong = await signInWithPassword(server.url, 'li.na', 'not the password');
    const unknown = await signInWithPassword(server.url, 'nobody.here', 'not the password');
    expect([wrong.status, wrong.cookie, unknown.status, unknown.cookie]).toEqual([401, null, 401, null]);
    expect(wrong.body).toContain('用户名或密码不正确。');
    expect(unknown.body).toContain('用户名或密码不正确。');
    const failed = await listAudit(database.db, { limit: 2, actionPrefix: 'login.failed' });
    expect(failed.map((a) => [a.user_name, a.user_id === null])).toEqual([
      ['nobody.here', true],
      ['li.na', false],
    ]);
  });

  it('refuses the sixth attempt within 15 minutes even with the right password, saying the same for a user that does not exist', async () => {
    await addUser('wang.fang', 'viewer', 'a long passphrase 4', false);
    for (let i = 0; i < 5; i++) {
      expect((await signInWithPassword(server.url, 'wang.fang', `wrong ${i}`)).status).toBe(401);
      expect((await signInWithPassword(server.url, 'ghost.user', `wrong ${i}`)).status).toBe(401);
    }
    const refused = await signInWithPassword(server.url, 'wang.fang', 'a long passphrase 4');
    const ghost = await signInWithPassword(server.url, 'ghost.user', 'a long passphrase 4');
    expect([refused.status, refused.cookie, ghost.status]).toEqual([429, null, 429]);
    expect(refused.body).toContain('登录失败次数过多，请 15 分钟后再试。');
    // The pages differ only in the name typed back into the form.
    expect(refused.body.replace(/value="[^"]*"/g, '')).toBe(ghost.body.replace(/value="[^"]*"/g, ''));
    // Case does not multiply the attempts.
    expect((await signInWithPassword(server.url, 'WANG.FANG', 'a long passphrase 4')).status).toBe(429);
    // 15 minutes and a moment after the last failure, the right password works again.
    advance(15.1);
    expect((await signInWithPassword(server.url, 'wang.fang', 'a long passphrase 4')).status).toBe(303);
  });

  it('refuses an address after 20 failures across names', async () => {
    await addUser('zhao.lei', 'viewer', 'a long passphrase 5', false);
    for (let i = 0; i < 20; i++) expect((await signInWithPassword(server.url, `someone-${i}`, 'guess')).status).toBe(401);
    expect((await signInWithPassword(server.url, 'zhao.lei', 'a long passphrase 5')).status).toBe(429);
  });

  it('follows only a next path of this site', async () => {
    await addUser('next.user', 'viewer', 'a long passphrase 6', false);
    expect((await signInWithPassword(server.url, 'next.user', 'a long passphrase 6', '/alerts?state=open')).location).toBe('/alerts?state=open');
    expect((await signInWithPassword(server.url, 'next.user', 'a long passphrase 6', '//evil.example/x')).location).toBe('/');
    expect((await signInWithPassword(server.url, 'next.user', 'a long passphrase 6', 'https://evil.example/')).location).toBe('/');
    expect((await signInWithPassword(server.url, 'next.user', 'a long passphrase 6', '/\\evil.example')).location).toBe('/');
  });

  it('sends the security headers with every page', async () => {
    const page = await fetch(`${server.url}/login`);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    const body = await page.text();
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(body).not.toMatch(/<style|\sstyle=/);
    expect((await fetch(`${server.url}/healthz`)).headers.get('content-security-policy')).not.toBeNull();
  });
});

describe('one-time passwords', () => {
  it('must be changed at first sign-in before anything else, and the new one must qualify', async () => {
    await addUser('chen.jie', 'operator', 'ONETIME-PASS-1', true);
    {
      const signed = await signInWithPassword(server.url, 'chen.jie', 'ONETIME-PASS-1', '/probe/read');
      expect([signed.status, signed.location]).toEqual([303, '/account/password?next=%2Fprobe%2Fread']);
      const cookie = signed.cookie ?? '';
      const read = await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie } });
      expect([read.statusCode, read.headers.location]).toEqual([302, '/account/password?next=%2Fprobe%2Fread']);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await app.inject({ method: 'GET', url: '/account/password', headers: { cookie } })).body)?.[1] ?? '';
      const change = (password: string, confirm = password, current = 'ONETIME-PASS-1') =>
        app.inject({ method: 'POST', url: '/account/password', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, current, password, confirm, next: '/probe/read' }).toString() });
      expect((await change('short')).statusCode).toBe(400);
      expect((await change('chen.jie-1234567')).statusCode).toBe(400);
      expect((await change('a new passphrase', 'a new passphrasf')).statusCode).toBe(400);
      expect((await change('a new passphrase', 'a new passphrase', 'wrong')).statusCode).toBe(400);
      expect((await findConsoleUser(database.db, 'chen.jie'))?.mustChangePassword).toBe(true);
      const done = await change('a new passphrase');
      expect([done.statusCode, done.headers.location]).toEqual([303, '/probe/read']);
      expect((await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie } })).statusCode).toBe(200);
      const row = await findConsoleUser(database.db, 'chen.jie');
      expect(row?.mustChangePassword).toBe(false);
      expect(await verifyPassword('a new passphrase', row?.passwordHash ?? '')).toBe(true);
      expect((await listAudit(database.db, { limit: 1, target: 'user:chen.jie' }))[0]?.action).toBe('user.password');
    }
  });
});

describe('guards and CSRF', () => {
  it('refuses a POST without the session token, with a wrong one, or from another site; takes the header or the form field', async () => {
    const { cookie, csrf } = await server.signIn('operator');
    const act = (headers: Record<string, string>, payload?: string) => app.inject({ method: 'POST', url: '/probe/act', headers: { cookie, ...headers }, ...(payload === undefined ? {} : { payload }) });
    expect((await act({})).statusCode).toBe(403);
    expect((await act({ 'x-csrf-token': csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A') })).statusCode).toBe(403);
    expect((await act({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await act({ 'x-csrf-token': csrf })).statusCode).toBe(200);
    expect((await act({ 'x-csrf-token': csrf, origin: 'http://localhost:80' })).statusCode).toBe(200);
    expect((await act({ 'content-type': 'application/x-www-form-urlencoded' }, `_csrf=${encodeURIComponent(csrf)}`)).statusCode).toBe(200);
    // Sign-out is a POST like any other.
    expect((await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })).statusCode).toBe(403);
  });

  it('lets a viewer read but not act or see Operations', async () => {
    const { cookie, csrf } = await server.signIn('viewer');
    expect((await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/probe/ops', headers: { cookie } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/probe/act', headers: { cookie, 'x-csrf-token': csrf } })).statusCode).toBe(403);
    const operator = await server.signIn('operator');
    expect((await app.inject({ method: 'GET', url: '/probe/ops', headers: { cookie: operator.cookie } })).statusCode).toBe(200);
  });

  it('sends an anonymous visitor to sign in, unless anonymous reading is configured, and never lets one act', async () => {
    const read = await app.inject({ method: 'GET', url: '/probe/read?x=1' });
    expect([read.statusCode, read.headers.location]).toEqual([302, '/login?next=%2Fprobe%2Fread%3Fx%3D1']);
    expect((await app.inject({ method: 'POST', url: '/probe/act' })).statusCode).toBe(403);
    const open = await probeApp((c) => ({ ...c, console: { ...c.console, anonymousRead: true } }));
    try {
      expect((await open.inject({ method: 'GET', url: '/probe/read' })).statusCode).toBe(200);
      expect((await open.inject({ method: 'GET', url: '/probe/ops' })).statusCode).toBe(302);
      expect((await open.inject({ method: 'POST', url: '/probe/act' })).statusCode).toBe(403);
    } finally {
      await open.close();
    }
  });

  it('ends the sessions of a disabled user at once, and signs out', async () => {
    const disabled = await server.signIn('operator', 'leaving.user');
    expect((await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie: disabled.cookie } })).statusCode).toBe(200);
    await disableConsoleUser(database.db, disabled.userId, clock);
    const after = await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie: disabled.cookie } });
    expect(after.statusCode).toBe(302);
    expect(after.cookies.find((c) => c.name === 'envmon_session')?.value).toBe('');
    expect((await signInWithPassword(server.url, 'leaving.user', TEST_PASSWORD)).status).toBe(401);

    const staying = await server.signIn('viewer');
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: staying.cookie, 'x-csrf-token': staying.csrf } });
    expect([out.statusCode, out.headers.location]).toEqual([303, '/login']);
    expect((await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie: staying.cookie } })).statusCode).toBe(302);
  });

  it('keeps a session alive while it is used (sliding 12 hours) and ends it 12 hours after the last use', async () => {
    const { cookie } = await server.signIn('viewer');
    const read = async () => (await app.inject({ method: 'GET', url: '/probe/read', headers: { cookie } })).statusCode;
    advance(11 * 60);
    expect(await read()).toBe(200);
    advance(11 * 60);
    // 22 hours after sign-in, 11 after the last use.
    expect(await read()).toBe(200);
    advance(12 * 60 + 1);
    expect(await read()).toBe(302);
  });
});
