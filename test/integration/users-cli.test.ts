/**
 * `envmon users` and the first start: one-time passwords shown once and forced to change, disabled users and new
 * passwords ending sessions, every change in the audit trail; `envmon start` serving the console and creating the
 * operator admin (password on stderr, never in the log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../db/repositories/audit.repository.ts';
import { findConsoleUser } from '../../db/repositories/console-users.repository.ts';
import { freePort } from '../../lib/free-port.ts';
import { verifyPassword } from '../../lib/password-hash.ts';
import { startWebServer } from '../../web/server.ts';
import { cleanEnv, runEnvmon, startEnvmon } from '../support/cli.ts';
import { signInWithPassword, startConsoleServer, type ConsoleTestServer } from '../support/console-server.ts';
import { trackResource } from '../support/resources.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { quietLog, repoRoot, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let server: ConsoleTestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startConsoleServer({ databaseUrl: database.url });
  env = cleanEnv({ DATABASE_URL: database.url });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

/** Four groups of five from the 31 characters without 0/O and 1/I/L. */
const ONE_TIME = /^[A-HJKMNP-Z2-9]{5}(-[A-HJKMNP-Z2-9]{5}){3}$/;

describe('envmon users', () => {
  it('adds users with a one-time password shown once, gives new ones and disables, ending sessions, and audits each change', async () => {
    const added = await runEnvmon(['users', 'add', 'zhou.min', '--role', 'viewer'], env);
    expect(added.code, added.stderr).toBe(0);
    const lines = added.stdout.trim().split('\n');
    expect(lines[0]).toBe('user zhou.min (viewer) created; one-time password, shown only this once:');
    const oneTime = lines[1] ?? '';
    expect(oneTime).toMatch(ONE_TIME);

    const chosen = await runEnvmon(['users', 'add', 'duty.ops', '--role', 'operator', '--password-stdin'], env, repoRoot, undefined, 'the duty passphrase\n');
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).not.toContain('the duty passphrase');

    const listed = JSON.parse((await runEnvmon(['users', 'list', '--json'], env)).stdout) as { name: string; role: string; mustChangePassword: boolean; disabledAt: string | null }[];
    expect(listed.map((u) => [u.name, u.role, u.mustChangePassword, u.disabledAt])).toEqual([
      ['zhou.min', 'viewer', true, null],
      ['duty.ops', 'operator', false, null],
    ]);
    // Only the scrypt hash is stored, and the chosen password (without its line end) is the one that matches.
    const stored = await findConsoleUser(database.db, 'duty.ops');
    expect(stored?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('the duty passphrase', stored?.passwordHash ?? '')).toBe(true);

    // The one-time password signs in, straight to the password change.
    const first = await signInWithPassword(server.url, 'zhou.min', oneTime);
    expect([first.status, first.location]).toEqual([303, '/account/password']);

    const renewed = await runEnvmon(['users', 'passwd', 'zhou.min'], env);
    expect(renewed.code, renewed.stderr).toBe(0);
    const newPassword = renewed.stdout.trim().split('\n')[1] ?? '';
    expect(newPassword).toMatch(ONE_TIME);
    expect(newPassword).not.toBe(oneTime);
    // The session opened with the old password has ended; the old password no longer works, the new one does.
    expect((await fetch(`${server.url}/account/password`, { headers: { cookie: first.cookie ?? '' }, redirect: 'manual' })).status).toBe(302);
    expect((await signInWithPassword(server.url, 'zhou.min', oneTime)).status).toBe(401);
    const second = await signInWithPassword(server.url, 'zhou.min', newPassword);
    expect(second.status).toBe(303);

    const disabled = await runEnvmon(['users', 'disable', 'zhou.min'], env);
    expect([disabled.code, disabled.stdout.trim()]).toEqual([0, 'user zhou.min disabled; their sessions have ended']);
    expect((await fetch(`${server.url}/account/password`, { headers: { cookie: second.cookie ?? '' }, redirect: 'manual' })).status).toBe(302);
    expect((await signInWithPassword(server.url, 'zhou.min', newPassword)).status).toBe(401);

    const again = await runEnvmon(['users', 'add', 'duty.ops', '--role', 'viewer'], env);
    expect([again.code, again.stderr.trim()]).toEqual([1, 'envmon: a user named duty.ops exists already (see envmon users list)']);

    const audit = (await listAudit(database.db, { limit: 20, actionPrefix: 'user.' })).reverse();
    expect(audit.map((a) => [a.action, a.target, (a.detail as { by?: string }).by])).toEqual([
      ['user.add', 'user:zhou.min', 'cli'],
      ['user.add', 'user:duty.ops', 'cli'],
      ['user.passwd', 'user:zhou.min', 'cli'],
      ['user.disable', 'user:zhou.min', 'cli'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(oneTime);
    // Seven runs of the CLI, a few seconds each on a busy machine.
  }, 300_000);
});

describe('envmon start', () => {
  it('serves the console, and on first start creates the operator admin with a one-time password printed once to stderr, not logged', async () => {
    const fresh = await createTestDatabase();
    const port = await freePort();
    try {
      const startEnv = cleanEnv({ DATABASE_URL: fresh.url, ENVMON_HTTP_PORT: String(port), ENVMON_QUEUE_PREFIX: uniquePrefix(), ENVMON_ROLE: 'scheduler' });
      const service = await startEnvmon(startEnv, '"console listening"');
      const release = trackResource('envmon start');
      try {
        const text = service.output();
        const password = /one-time password ([A-Z0-9-]+)/.exec(text)?.[1] ?? '';
        expect(password).toMatch(ONE_TIME);
        expect(text).toContain(`envmon 控制台 console: http://127.0.0.1:${port}`);
        const logLine = text.split('\n').find((l) => l.includes('"console listening"')) ?? '';
        expect(JSON.parse(logLine)).toMatchObject({ level: 'info', url: `http://127.0.0.1:${port}`, firstUser: 'admin' });
        // Only the lines of the logger (JSON) are on stdout: none holds the password.
        const admin = await findConsoleUser(fresh.db, 'admin');
        expect([admin?.role, admin?.mustChangePassword]).toEqual(['operator', true]);
        expect(await verifyPassword(password, admin?.passwordHash ?? '')).toBe(true);
        const signed = await signInWithPassword(`http://127.0.0.1:${port}`, 'admin', password);
        expect([signed.status, signed.location]).toEqual([303, '/account/password']);
        // A port already taken is refused, naming the variable to change.
        const second = startWebServer({ port, host: '127.0.0.1' }, { db: fresh.db, config: testConfig({ DATABASE_URL: fresh.url }), parameterIds: new Map(), log: quietLog, now: () => new Date() });
        await expect(second).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use: set ENVMON_HTTP_PORT to a free port (or ENVMON_HTTP_PORT=off to serve no console)`);
      } finally {
        service.child.kill('SIGTERM');
        expect(await service.exited).toBe(0);
        release();
      }
      const stdoutOnly = service.output();
      expect(stdoutOnly.split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toMatch(/[A-Z2-9]{5}-[A-Z2-9]{5}-/);
      // A second start finds a user and creates none.
      const again = await startEnvmon(cleanEnv({ DATABASE_URL: fresh.url, ENVMON_HTTP_PORT: String(port), ENVMON_QUEUE_PREFIX: uniquePrefix(), ENVMON_ROLE: 'scheduler' }), '"console listening"');
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      expect(again.output()).not.toContain('one-time password');
      expect((await fresh.db.selectFrom('console_user').select('name').execute()).map((u) => u.name)).toEqual(['admin']);
    } finally {
      await fresh.drop();
    }
  }, 180_000);
});
