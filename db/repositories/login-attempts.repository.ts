/**
 * The sign-in limit, read from the audit trail: failed sign-ins are `login.failed` rows, so the limit holds across
 * processes and restarts without a store of its own.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export const LOGIN_LIMITS = {
  /** Window the failures are counted in. */
  windowMinutes: 15,
  /** Failures per user name (whether or not the user exists) before sign-ins with that name are refused. */
  perName: 5,
  /** Failures per client address, across names, before sign-ins from it are refused. */
  perAddress: 20,
} as const;

/** Whether a sign-in by `name` from `remote` must be refused now, without looking at the password. */
export async function loginRefused(db: Kysely<Database>, name: string, remote: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_LIMITS.windowMinutes * 60_000);
  // Names are compared without case: Admin and admin count together, so case cannot multiply the attempts.
  const row = await db
    .selectFrom('audit_log')
    .select([
      sql<string>`count(*) filter (where lower(user_name) = lower(${name}))`.as('by_name'),
      sql<string>`count(*) filter (where remote = ${remote})`.as('by_address'),
    ])
    .where('action', '=', 'login.failed')
    .where('at', '>', since)
    .where('at', '<=', now)
    .executeTakeFirstOrThrow();
  return Number(row.by_name) >= LOGIN_LIMITS.perName || Number(row.by_address) >= LOGIN_LIMITS.perAddress;
}
