/** A fresh, migrated database per test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { admin } from './postgres-server.ts';
import { inject } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { trackResource } from './resources.ts';

export interface TestDatabase extends DatabaseHandle {
  readonly url: string;
  readonly name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `envmon_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = connectDatabase(url.toString(), { max: 5 });
  const release = trackResource(`database ${name}`);
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    name,
    drop: async () => {
      await handle.close();
      // Sessions close asynchronously after their pools end; anything still connected after that is a leak.
      const leftover = await waitForNoSessions(adminUrl, name);
      await admin(adminUrl, `drop database if exists ${name} with (force)`);
      release();
      if (leftover.length > 0) throw new Error(`sessions still connected to ${name}: ${leftover.join(', ')}`);
    },
  };
}

async function waitForNoSessions(adminUrl: string, name: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const result = await client.query<{ application_name: string; state: string }>(
        'select application_name, state from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
      if (result.rows.length === 0) return [];
      if (Date.now() > deadline) return result.rows.map((r) => `${r.application_name || '(unnamed)'} (${r.state})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.end();
  }
}


/** A queue prefix no other test run uses. */
export function uniquePrefix(): string {
  return `envmon-test-${randomBytes(5).toString('hex')}`;
}
