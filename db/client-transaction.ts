/**
 * A transaction on one pooled connection that offers both the raw pg client (for COPY, which Kysely cannot
 * issue) and a Kysely instance bound to the same connection (for the repositories).
 */
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';

export interface ClientTransaction {
  readonly client: pg.PoolClient;
  readonly db: Kysely<Database>;
}

export async function inClientTransaction<T>(pool: pg.Pool, work: (tx: ClientTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      // Every query Kysely makes goes to this one connection; releasing it is ours to do, below.
      pool: { connect: async () => ({ query: client.query.bind(client), release: () => undefined }), end: async () => undefined },
    }),
  });
  let failed = false;
  try {
    await client.query('begin');
    const result = await work({ client, db });
    await client.query('commit');
    return result;
  } catch (error) {
    failed = true;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    // A connection whose rollback failed may be broken: destroy it rather than return it to the pool.
    client.release(failed && !isHealthy(client));
  }
}

function isHealthy(client: pg.PoolClient): boolean {
  return !(client as unknown as { _ending?: boolean })._ending;
}
