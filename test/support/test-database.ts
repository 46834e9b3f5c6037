/** A fresh, migrated database per test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
      await admin(adminUrl, `drop database if exists ${name} with (force)`);
      release();
    },
  };
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A queue prefix no other test run uses. */
export function uniquePrefix(): string {
  return `envmon-test-${randomBytes(5).toString('hex')}`;
}
