/**
 * Signed-in browsers. The cookie carries 32 random bytes; only their SHA-256 is stored, so a copy of the table signs
 * nobody in. Each session has its CSRF token. A session ends when it expires, at sign-out, when its user is disabled
 * or given a new password.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from './console-users.repository.ts';
import type { Database } from '../schema.ts';

export interface SessionUser {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly mustChangePassword: boolean;
  readonly csrfToken: string;
  readonly lastSeenAt: Date;
}

export function hashSessionToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Opens a session; returns the cookie value (the only copy) and the CSRF token. */
export async function createSession(db: Kysely<Database>, userId: number, hours: number, now: Date): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db
    .insertInto('console_session')
    .values({ token_sha256: hashSessionToken(token), user_id: userId, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: new Date(now.getTime() + hours * 3_600_000) })
    .execute();
  // Expired sessions of everyone go at each sign-in: the table stays as small as the number of signed-in browsers.
  await db.deleteFrom('console_session').where('expires_at', '<', now).execute();
  return { token, csrfToken };
}

/** The user of a live session (not expired, user not disabled), or null. */
export async function findSession(db: Kysely<Database>, token: string, now: Date): Promise<SessionUser | null> {
  if (token.length > 100) return null;
  const row = await db
    .selectFrom('console_session as s')
    .innerJoin('console_user as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.name', 'u.role', 'u.must_change_password', 's.csrf_token', 's.last_seen_at'])
    .where('s.token_sha256', '=', hashSessionToken(token))
    .where('s.expires_at', '>', now)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, role: row.role, mustChangePassword: row.must_change_password, csrfToken: row.csrf_token, lastSeenAt: row.last_seen_at } : null;
}

/** Moves a session's end to `hours` from now (sliding expiry). */
export async function touchSession(db: Kysely<Database>, token: string, hours: number, now: Date): Promise<void> {
  await db
    .updateTable('console_session')
    .set({ last_seen_at: now, expires_at: new Date(now.getTime() + hours * 3_600_000) })
    .where('token_sha256', '=', hashSessionToken(token))
    .execute();
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('console_session').where('token_sha256', '=', hashSessionToken(token)).execute();
}
