/**
 * A PostgreSQL server for tests and benchmarks: the given URL or the local service at 127.0.0.1:5432, else an
 * embedded server in a temporary folder. Returns an admin URL (database `postgres`) and how to stop what was started.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { openEmbeddedPostgres } from '../../db/embedded-postgres.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Logger } from '../../lib/logger.ts';

export async function findOrStartPostgres(explicitUrl: string | undefined, log: Logger): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  const url = explicitUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await postgresAnswers(url)) return { adminUrl: url, stop: async () => undefined };
  if (explicitUrl) throw new Error('the PostgreSQL URL given does not answer');
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-pg-'));
  const embedded = await openEmbeddedPostgres(dir, log);
  return {
    adminUrl: embedded.connectionString.replace(/\/envmon$/, '/postgres'),
    stop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement as the server's administrator (create and drop databases). */
export async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Runs work in a fresh, migrated database on the server `findOrStartPostgres` finds (DATABASE_URL, else the local
 * one, else an embedded one), and drops it afterwards: for benchmarks and scripts that need a database of their own.
 */
export async function withScratchDatabase<T>(prefix: string, log: Logger, work: (database: DatabaseHandle & { url: string }) => Promise<T>): Promise<T> {
  const server = await findOrStartPostgres(process.env.DATABASE_URL, log);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(server.adminUrl, `create database ${name}`);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  const database = connectDatabase(url.toString(), { max: 4 });
  try {
    await migrateToLatest(database.db);
    return await work({ ...database, url: url.toString() });
  } finally {
    await database.close();
    await admin(server.adminUrl, `drop database if exists ${name} with (force)`);
    await server.stop();
  }
}
