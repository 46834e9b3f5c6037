/**
 * `envmon users add|list|disable|passwd`: the people who sign in to the web console. A password made here is a
 * one-time password, shown once: its holder must choose their own at first sign-in. Every change is audited.
 */
import { userInfo } from 'node:os';
import { recordAudit } from '../../db/repositories/audit.repository.ts';
import { createConsoleUser, disableConsoleUser, findConsoleUser, listConsoleUsers, setConsolePassword, USER_NAME } from '../../db/repositories/console-users.repository.ts';
import { generateOneTimePassword, hashPassword, passwordProblem } from '../../lib/password-hash.ts';
import { formatBeijing } from '../../lib/time.ts';
import { roles, type Role } from '../../db/repositories/console-users.repository.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

/** Who ran the command, for the audit trail: the account of this machine (commands have no console user). */
function operatorOfMachine(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function nameOf(positionals: readonly string[]): string {
  const name = positionals[0] ?? '';
  if (!USER_NAME.test(name)) throw new UsageError(`give a user name of 1–64 letters, digits or . _ @ - (not "${name}")`);
  return name;
}

/** The password on standard input (one line; the line end is not part of it). */
async function passwordFromStdin(name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1000) throw new UsageError('the password on standard input is longer than 200 characters');
    chunks.push(chunk);
  }
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  const problem = passwordProblem(password, name);
  if (problem !== null) throw new UsageError(`the password on standard input must be ${problem}`);
  return password;
}

export const usersAddCommand: Command = {
  path: ['users', 'add'],
  summary: 'add a console user; prints a one-time password (shown only once, to be changed at first sign-in)',
  usage: 'envmon users add NAME --role viewer|operator [--password-stdin]',
  options: {
    role: { type: 'string', value: 'ROLE', description: 'viewer (reads every page except Operations) or operator (also acts, and sees Operations)' },
    'password-stdin': { type: 'boolean', default: false, description: 'read the password from standard input instead of making a one-time password (at least 10 characters, not containing the name)' },
  },
  examples: ['envmon users add zhang.wei --role viewer', "printf '%s' \"$PASSWORD\" | envmon users add monitor --role viewer --password-stdin"],
  run: async ({ values, positionals }, context) => {
    const name = nameOf(positionals);
    const role = values.role;
    if (typeof role !== 'string' || !roles.includes(role as Role)) throw new UsageError(`--role viewer or --role operator is required${typeof role === 'string' ? ` (not "${role}")` : ''}`);
    const chosen = values['password-stdin'] === true ? await passwordFromStdin(name) : null;
    const password = chosen ?? generateOneTimePassword();
    const passwordHash = await hashPassword(password);
    return withDatabase(context, async ({ db }) => {
      const now = new Date();
      const created = await db.transaction().execute(async (tx) => {
        const user = await createConsoleUser(tx, { name, role: role as Role, passwordHash, mustChangePassword: chosen === null }, now);
        if (user) await recordAudit(tx, { user: null, action: 'user.add', target: `user:${name}`, detail: { role, by: 'cli', account: operatorOfMachine() }, at: now });
        return user;
      });
      if (!created) throw new UsageError(`a user named ${name} exists already (see envmon users list)`);
      if (chosen !== null) {
        context.out(`user ${name} (${role}) created with the password given`);
        return 0;
      }
      context.out(`user ${name} (${role}) created; one-time password, shown only this once:`);
      context.out(password);
      context.out('it must be changed at first sign-in (/login)');
      return 0;
    });
  },
};

export const usersListCommand: Command = {
  path: ['users', 'list'],
  summary: 'console users: name, role, whether active, when created and when the password was last set',
  usage: 'envmon users list [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print [{id, name, role, mustChangePassword, createdAt, passwordChangedAt, disabledAt}] as JSON' } },
  examples: ['envmon users list'],
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const users = await listConsoleUsers(db);
      if (values.json) {
        context.out(JSON.stringify(users, null, 2));
        return 0;
      }
      if (users.length === 0) context.out('no console users (envmon start creates admin; add one with envmon users add NAME --role viewer|operator)');
      for (const u of users) {
        const state = u.disabledAt ? `disabled ${formatBeijing(u.disabledAt)}` : u.mustChangePassword ? 'active, one-time password not yet changed' : 'active';
        context.out(`${String(u.id).padStart(5)}  ${u.name.padEnd(24)}  ${u.role.padEnd(8)}  created ${formatBeijing(u.createdAt)}  ${state}`);
      }
      if (users.length > 0) context.out('(times in Beijing time)');
      return 0;
    }),
};

export const usersDisableCommand: Command = {
  path: ['users', 'disable'],
  summary: 'disable a console user: their sessions end at once and they can no longer sign in',
  usage: 'envmon users disable NAME',
  options: {},
  examples: ['envmon users disable zhang.wei'],
  run: async ({ positionals }, context) => {
    const name = nameOf(positionals);
    return withDatabase(context, async ({ db }) => {
      const user = await findConsoleUser(db, name);
      if (!user) throw new UsageError(`no user named ${name} (see envmon users list)`);
      if (user.disabledAt) throw new UsageError(`user ${name} was already disabled at ${formatBeijing(user.disabledAt)} (Beijing time)`);
      const now = new Date();
      await db.transaction().execute(async (tx) => {
        await disableConsoleUser(tx, user.id, now);
        await recordAudit(tx, { user: null, action: 'user.disable', target: `user:${name}`, detail: { by: 'cli', account: operatorOfMachine() }, at: now });
      });
      context.out(`user ${name} disabled; their sessions have ended`);
      return 0;
    });
  },
};

export const usersPasswdCommand: Command = {
  path: ['users', 'passwd'],
  summary: "give a console user a new one-time password (shown only once); the user's sessions end",
  usage: 'envmon users passwd NAME',
  options: {},
  examples: ['envmon users passwd zhang.wei'],
  run: async ({ positionals }, context) => {
    const name = nameOf(positionals);
    const password = generateOneTimePassword();
    const passwordHash = await hashPassword(password);
    return withDatabase(context, async ({ db }) => {
      const user = await findConsoleUser(db, name);
      if (!user) throw new UsageError(`no user named ${name} (see envmon users list)`);
      const now = new Date();
      await db.transaction().execute(async (tx) => {
        await setConsolePassword(tx, user.id, passwordHash, { oneTime: true }, now);
        await recordAudit(tx, { user: null, action: 'user.passwd', target: `user:${name}`, detail: { by: 'cli', account: operatorOfMachine() }, at: now });
      });
      context.out(`user ${name}: new one-time password, shown only this once (their sessions have ended):`);
      context.out(password);
      if (user.disabledAt) context.out(`note: user ${name} is disabled and cannot sign in with it`);
      return 0;
    });
  },
};
