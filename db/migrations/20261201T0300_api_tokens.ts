// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Bearer tokens of the HTTP API. Only the SHA-256 of a token is kept: the token itself (32 random bytes) is shown
  // once, when it is created. A revoked token stays listed, with when it was revoked.
  await sql`
    create table api_token (
      id bigint generated always as identity primary key,
      name text not null check (length(name) between 1 and 100),
      token_sha256 bytea not null unique check (octet_length(token_sha256) = 32),
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists api_token`.execute(db);
}
