/** Builds the pg pool and the Kysely instance on it. Only the composition root calls this. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;
  /** Closes Kysely and its pool. */
  close(): Promise<void>;
}

// int8 (counts, identity ids) as JS numbers: envmon's counts and ids stay far below 2^53.
// numeric stays a string so decimal values are never passed through binary floating point.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

export function connectDatabase(
  connectionString: string,
  options: { max?: number; applicationName?: string; onIdleError?: (error: Error) => void } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'envmon',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // JIT compilation is off: on the windowed aggregate statements it cost 0.2–1.2 s each, far above their run
    // time, and nothing envmon runs is long enough to win it back.
    options: '-c jit=off',
    types,
  });
  // An idle connection that the server closes (restart, failover) is dropped by the pool; without a listener
  // the error would end the process.
  pool.on('error', options.onIdleError ?? (() => undefined));
  // So must a connection the server closes while it is checked out (a job between two statements, a COPY): pg
  // fails the query in flight and also emits 'error' on the client, where the pool listens only while the client
  // is idle. The statement's own error reaches its caller (the job is retried); the pool discards the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    // Kysely's destroy ends the pool it was given.
    close: () => db.destroy(),
  };
}
