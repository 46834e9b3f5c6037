// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // People who sign in to the web console. The password is kept as a salted scrypt hash only. A disabled user keeps
  // their row (the audit trail names them); `must_change_password` is set for a one-time password.
  await sql`
    create table console_user (
      id bigint generated always as identity primary key,
      name text not null unique check (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
      role text not null check (role in ('viewer', 'operator')),
      password_hash text not null,
      must_change_password boolean not null default true,
      created_at timestamptz not null default now(),
      password_changed_at timestamptz,
      disabled_at timestamptz
    )`.execute(db);
  // A signed-in browser. Only the SHA-256 of the cookie's value is kept; the CSRF token belongs to the session.
  await sql`
    create table console_session (
      token_sha256 bytea primary key check (octet_length(token_sha256) = 32),
      user_id bigint not null references console_user (id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index console_session_user on console_session (user_id)`.execute(db);
  // Who did what, when: every state change made in the console or by the users command, and every sign-in attempt
  // (failed ones drive the login rate limit). `user_name` is kept as it was at the time.
  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      user_id bigint references console_user (id) on delete set null,
      user_name text,
      action text not null,
      target text,
      detail jsonb not null default '{}'::jsonb,
      remote text
    )`.execute(db);
  await sql`create index audit_log_at on audit_log (at desc)`.execute(db);
  await sql`create index audit_log_action_at on audit_log (action, at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists audit_log`.execute(db);
  await sql`drop table if exists console_session`.execute(db);
  await sql`drop table if exists console_user`.execute(db);
}
