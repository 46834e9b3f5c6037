/** `envmon tokens create|list|revoke`: the token is shown once, works against the API until it is revoked. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../../web/server.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { trackResource } from '../support/resources.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  env = cleanEnv({ DATABASE_URL: database.url });
});
afterAll(async () => {
  await database.drop();
});

interface Listed {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function withApi<T>(work: (base: string) => Promise<T>): Promise<T> {
  const server = await startWebServer({ port: 0, host: '127.0.0.1' }, { db: database.db, config: testConfig({ DATABASE_URL: database.url }), parameterIds: new Map(), log: quietLog, now: () => new Date() });
  const release = trackResource('HTTP API');
  try {
    return await work(server.url);
  } finally {
    await server.close();
    release();
  }
}

describe('envmon tokens', () => {
  it('creates a token shown once, lists it without the token, and revokes it so that the API refuses it', async () => {
    const created = await runEnvmon(['tokens', 'create', '--name', 'dashboard', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const { id, name, token } = JSON.parse(created.stdout) as { id: number; name: string; token: string };
    expect(name).toBe('dashboard');
    expect(token).toMatch(/^envmon_[A-Za-z0-9_-]{43}$/);

    const listed = await runEnvmon(['tokens', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(token.slice('envmon_'.length));
    const rows = JSON.parse(listed.stdout) as Listed[];
    expect(rows.map((r) => [r.id, r.name, r.lastUsedAt, r.revokedAt])).toEqual([[id, 'dashboard', null, null]]);

    const status = (base: string) => fetch(`${base}/api/alerts`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await withApi(status)).toBe(200);

    const revoked = await runEnvmon(['tokens', 'revoke', String(id)], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`token ${id} (dashboard) revoked`);
    expect(await withApi(status)).toBe(403);
    const after = JSON.parse((await runEnvmon(['tokens', 'list', '--json'], env)).stdout) as Listed[];
    expect(after[0]?.revokedAt).not.toBeNull();
    expect(after[0]?.lastUsedAt).not.toBeNull();
  });

  it('prints the token with a warning that it will not be shown again', async () => {
    const created = await runEnvmon(['tokens', 'create', '--name', 'grafana'], env);
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^token \d+ \(grafana\) created; it is shown only this once:$/);
    expect(lines[1]).toMatch(/^envmon_[A-Za-z0-9_-]{43}$/);
    const table = await runEnvmon(['tokens', 'list'], env);
    expect(table.stdout).toContain('grafana');
    expect(table.stdout).not.toContain(lines[1]?.slice('envmon_'.length));
  });

  it('refuses a missing name, an unknown id and a second revocation, with a one-line reason', async () => {
    const noName = await runEnvmon(['tokens', 'create'], env);
    expect([noName.code, noName.stderr.trim()]).toEqual([1, 'envmon: --name NAME is required (what the token is for, e.g. --name dashboard)']);
    const unknown = await runEnvmon(['tokens', 'revoke', '999999'], env);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'envmon: no token 999999 (see envmon tokens list)']);
    const created = JSON.parse((await runEnvmon(['tokens', 'create', '--name', 'twice', '--json'], env)).stdout) as { id: number };
    expect((await runEnvmon(['tokens', 'revoke', String(created.id)], env)).code).toBe(0);
    const again = await runEnvmon(['tokens', 'revoke', String(created.id)], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(new RegExp(`^envmon: token ${created.id} was already revoked at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} \\(Beijing time\\)$`));
  });
});
