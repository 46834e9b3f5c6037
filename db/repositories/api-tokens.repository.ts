/** Bearer tokens of the HTTP API: created (shown once), listed, revoked, and checked on every API request. */
import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { generateApiToken, hashApiToken } from '../../lib/api-token.ts';
import type { Database } from '../schema.ts';

export interface ApiTokenInfo {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a token; the returned `token` is the only copy there will ever be. */
export async function createApiToken(db: Kysely<Database>, name: string, now: Date): Promise<ApiTokenInfo & { token: string }> {
  const token = generateApiToken();
  const row = await db
    .insertInto('api_token')
    .values({ name, token_sha256: hashApiToken(token), created_at: now })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, name, createdAt: row.created_at, lastUsedAt: null, revokedAt: null, token };
}

export async function listApiTokens(db: Kysely<Database>): Promise<ApiTokenInfo[]> {
  const rows = await db.selectFrom('api_token').select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

/** Whether any token is not revoked (without one, every API request is refused). */
export async function activeApiTokenExists(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('api_token').select('id').where('revoked_at', 'is', null).limit(1).execute()).length > 0;
}

export type RevokeResult = { outcome: 'revoked'; revokedAt: Date } | { outcome: 'already_revoked'; revokedAt: Date } | { outcome: 'unknown' };

export async function revokeApiToken(db: Kysely<Database>, id: number, now: Date): Promise<RevokeResult> {
  const updated = await db.updateTable('api_token').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).returning('revoked_at').executeTakeFirst();
  if (updated?.revoked_at) return { outcome: 'revoked', revokedAt: updated.revoked_at };
  const existing = await db.selectFrom('api_token').select('revoked_at').where('id', '=', id).executeTakeFirst();
  return existing?.revoked_at ? { outcome: 'already_revoked', revokedAt: existing.revoked_at } : { outcome: 'unknown' };
}

export type TokenCheck = { status: 'valid'; id: number; name: string } | { status: 'revoked'; id: number; name: string } | { status: 'unknown' };

/** How often `last_used_at` is written for a token in use: once a minute is precise enough, and spares a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Checks a presented token. The lookup goes by the SHA-256 of the token through the unique index: timing can at most
 * reveal how much of a hash matched, and hashes of guesses are not under the guesser's control. The hashes are then
 * compared in constant time all the same.
 */
export async function checkApiToken(db: Kysely<Database>, token: string, now: Date): Promise<TokenCheck> {
  const hash = hashApiToken(token);
  const row = await db.selectFrom('api_token').select(['id', 'name', 'token_sha256', 'last_used_at', 'revoked_at']).where('token_sha256', '=', hash).executeTakeFirst();
  if (!row || row.token_sha256.length !== hash.length || !timingSafeEqual(row.token_sha256, hash)) return { status: 'unknown' };
  if (row.revoked_at) return { status: 'revoked', id: row.id, name: row.name };
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { status: 'valid', id: row.id, name: row.name };
}
