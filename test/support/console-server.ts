/**
 * The real console (server, session plugin, guards, pages) on a test database, listening on 127.0.0.1 on a free
 * port, and a way to sign in as a viewer or an operator through the real login form.
 *
 *   const database = await createTestDatabase();
 *   const server = await startConsoleServer({ databaseUrl: database.url });
 *   const { cookie, csrf } = await server.signIn('operator');
 *   await fetch(`${server.url}/alerts/1/acknowledge`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
 *   await server.close();   // before database.drop()
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { connectDatabase } from '../../db/connect.ts';
import { createConsoleUser } from '../../db/repositories/console-users.repository.ts';
import { hashSessionToken } from '../../db/repositories/console-sessions.repository.ts';
import type { Database } from '../../db/schema.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import type { ConsoleQueues } from '../../web/console-queues.ts';
import type { Role } from '../../db/repositories/console-users.repository.ts';
import { startWebServer } from '../../web/server.ts';
import { trackResource } from './resources.ts';
import { quietLog, testConfig } from './test-service.ts';

export interface ConsoleTestServer {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The server's own connection to the test database (closed by `close`). */
  readonly db: Kysely<Database>;
  /**
   * Creates a user with the role (name default `viewer-1`, `operator-2`, …; password already chosen, so no change is
   * forced) and signs in through POST /login. `cookie` is ready for a Cookie header; `csrf` is the session's token.
   */
  signIn(role: Role, name?: string): Promise<{ cookie: string; csrf: string; userId: number }>;
  close(): Promise<void>;
}

/** The password every user made by `signIn` has. */
export const TEST_PASSWORD = 'correct horse battery staple';

export async function startConsoleServer(opts: { databaseUrl: string; anonymousRead?: boolean; now?: () => Date; env?: Record<string, string>; queues?: ConsoleQueues }): Promise<ConsoleTestServer> {
  const base = testConfig({ DATABASE_URL: opts.databaseUrl, ...opts.env });
  const config = opts.anonymousRead === undefined ? base : { ...base, console: { ...base.console, anonymousRead: opts.anonymousRead } };
  const handle = connectDatabase(opts.databaseUrl, { max: 4, applicationName: 'console test server' });
  const release = trackResource('console test server');
  let users = 0;
  try {
    const parameterIds = await syncConfig(handle.db, config);
    const web = await startWebServer({ port: 0, host: '127.0.0.1' }, { db: handle.db, pool: handle.pool, config, parameterIds, log: quietLog, now: opts.now ?? (() => new Date()), ...(opts.queues ? { queues: opts.queues } : {}) });
    return {
      app: web.app,
      url: web.url,
      db: handle.db,
      signIn: async (role, name) => {
        const userName = name ?? `${role}-${++users}`;
        const user = await createConsoleUser(handle.db, { name: userName, role, passwordHash: await hashPassword(TEST_PASSWORD), mustChangePassword: false }, new Date());
        if (!user) throw new Error(`a console user named ${userName} exists already`);
        const session = await signInWithPassword(web.url, userName, TEST_PASSWORD);
        if (session.status !== 303 || !session.cookie) throw new Error(`signing in as ${userName} answered ${session.status}`);
        const row = await handle.db.selectFrom('console_session').select('csrf_token').where('token_sha256', '=', hashSessionToken(session.cookie.slice('envmon_session='.length))).executeTakeFirstOrThrow();
        return { cookie: session.cookie, csrf: row.csrf_token, userId: user.id };
      },
      close: async () => {
        await web.close();
        await handle.close();
        release();
      },
    };
  } catch (error) {
    await handle.close();
    release();
    throw error;
  }
}

/**
 * Signs in through the form as a browser would: GET /login (its CSRF cookie and field), then POST /login.
 * `cookie` is `envmon_session=…` when a session was opened; `location` is where the answer redirects.
 */
export async function signInWithPassword(url: string, name: string, password: string, next?: string): Promise<{ status: number; cookie: string | null; location: string | null; setCookie: string | null; body: string }> {
  const form = await fetch(`${url}/login`);
  const page = await form.text();
  const field = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  const loginCookie = /envmon_login=[^;]+/.exec(form.headers.get('set-cookie') ?? '')?.[0];
  if (!field || !loginCookie) throw new Error('GET /login gave no CSRF token');
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ _csrf: field, name, password, ...(next ? { next } : {}) }).toString(),
  });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('envmon_session=')) ?? null;
  return { status: response.status, cookie: setCookie ? (/^envmon_session=[^;]+/.exec(setCookie)?.[0] ?? null) : null, location: response.headers.get('location'), setCookie, body: await response.text() };
}
