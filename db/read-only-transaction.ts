/**
 * Turns the caller's transaction into one that can only read and whose every statement stops after a time limit:
 * what a request from outside runs in, so that it changes nothing and holds no connection for long.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Must be the transaction's first statement. The timeout holds until the transaction ends (set_config's `is_local`). */
export async function makeReadOnly(tx: Transaction<Database>, statementTimeoutMs: number): Promise<void> {
  await sql`set transaction read only`.execute(tx);
  await sql`select set_config('statement_timeout', ${String(statementTimeoutMs)}, true)`.execute(tx);
}
