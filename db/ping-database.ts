/** The cheapest round trip to the database: resolves when it answers, rejects when it does not (GET /healthz). */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
