/** First start: with no console user at all, the operator `admin` is created with a one-time password. */
import type { Kysely } from 'kysely';
import { recordAudit } from '../db/repositories/audit.repository.ts';
import { consoleUsersExist, createFirstOperator } from '../db/repositories/console-users.repository.ts';
import type { Database } from '../db/schema.ts';
import { generateOneTimePassword, hashPassword } from '../lib/password-hash.ts';

/** Creates `admin` when no user exists; returns its one-time password (the only copy), or null when users exist. */
export async function ensureFirstOperator(db: Kysely<Database>, now: Date): Promise<{ name: string; password: string } | null> {
  if (await consoleUsersExist(db)) return null;
  const password = generateOneTimePassword();
  const user = await createFirstOperator(db, await hashPassword(password), now);
  if (!user) return null;
  await recordAudit(db, { user: null, action: 'user.add', target: `user:${user.name}`, detail: { role: user.role, by: 'first start' }, at: now });
  return { name: user.name, password };
}

/** What the person starting envmon reads once: where the console is and how to sign in the first time. */
export function firstOperatorNotice(url: string, name: string, password: string): string {
  return [
    '',
    `envmon 控制台 console: ${url}`,
    `首次登录 first sign-in: user ${name}, one-time password ${password}`,
    '（该密码只显示这一次，首次登录后须修改 — shown only this once; it must be changed at first sign-in）',
    '',
  ].join('\n');
}
