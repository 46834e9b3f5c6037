/** People who sign in to the web console: created (with a one-time password), listed, disabled, given new passwords. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** A console user's role: a viewer reads, an operator also acts (web/console-user.ts). */
export const roles = ['viewer', 'operator'] as const;
export type Role = (typeof roles)[number];

export interface ConsoleUserInfo {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly mustChangePassword: boolean;
  readonly createdAt: Date;
  readonly passwordChangedAt: Date | null;
  readonly disabledAt: Date | null;
}

/** A user name: letters, digits and . _ @ - (1–64), as the table allows. */
export const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

type Db = Kysely<Database> | Transaction<Database>;

function info(row: { id: number; name: string; role: Role; must_change_password: boolean; created_at: Date; password_changed_at: Date | null; disabled_at: Date | null }): ConsoleUserInfo {
  return { id: row.id, name: row.name, role: row.role, mustChangePassword: row.must_change_password, createdAt: row.created_at, passwordChangedAt: row.password_changed_at, disabledAt: row.disabled_at };
}

const columns = ['id', 'name', 'role', 'must_change_password', 'created_at', 'password_changed_at', 'disabled_at'] as const;

/** Creates a user whose password must be changed at first sign-in; null when the name is taken. */
export async function createConsoleUser(db: Db, user: { name: string; role: Role; passwordHash: string; mustChangePassword?: boolean }, now: Date): Promise<ConsoleUserInfo | null> {
  const row = await db
    .insertInto('console_user')
    .values({ name: user.name, role: user.role, password_hash: user.passwordHash, must_change_password: user.mustChangePassword ?? true, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning(columns)
    .executeTakeFirst();
  return row ? info(row) : null;
}

/** Whether any user exists, disabled ones included. */
export async function consoleUsersExist(db: Db): Promise<boolean> {
  return (await db.selectFrom('console_user').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Creates the operator `admin` when there is no user at all (first start). Two processes starting at once cannot
 * both create one: the first insert wins, the other finds the name taken. Returns the user, or null when users exist.
 */
export async function createFirstOperator(db: Kysely<Database>, passwordHash: string, now: Date): Promise<ConsoleUserInfo | null> {
  return db.transaction().execute(async (tx) => {
    // Serialises first starts: the check and the insert see the same table.
    await sql`lock table console_user in share row exclusive mode`.execute(tx);
    if (await consoleUsersExist(tx)) return null;
    return createConsoleUser(tx, { name: 'admin', role: 'operator', passwordHash }, now);
  });
}

export async function listConsoleUsers(db: Db): Promise<ConsoleUserInfo[]> {
  return (await db.selectFrom('console_user').select(columns).orderBy('id').execute()).map(info);
}

export async function findConsoleUser(db: Db, name: string): Promise<(ConsoleUserInfo & { passwordHash: string }) | null> {
  const row = await db.selectFrom('console_user').select([...columns, 'password_hash']).where('name', '=', name).executeTakeFirst();
  return row ? { ...info(row), passwordHash: row.password_hash } : null;
}

/** Disables a user and ends their sessions at once; the row stays (the audit trail names it). */
export async function disableConsoleUser(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('console_user').set({ disabled_at: now }).where('id', '=', id).where('disabled_at', 'is', null).execute();
  await db.deleteFrom('console_session').where('user_id', '=', id).execute();
}

/**
 * Sets a new password. `oneTime`: given by an administrator, to be changed at the next sign-in, and every session of
 * the user ends; otherwise chosen by the user, whose other sessions end (the one in `keepSession` stays).
 */
export async function setConsolePassword(db: Db, id: number, passwordHash: string, options: { oneTime: boolean; keepSession?: Buffer }, now: Date): Promise<void> {
  await db.updateTable('console_user').set({ password_hash: passwordHash, must_change_password: options.oneTime, password_changed_at: now }).where('id', '=', id).execute();
  let sessions = db.deleteFrom('console_session').where('user_id', '=', id);
  if (options.keepSession) sessions = sessions.where('token_sha256', '<>', options.keepSession);
  await sessions.execute();
}
