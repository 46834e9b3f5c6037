/** `envmon tokens create|list|revoke`: bearer tokens of the HTTP API. A token is shown once, at creation. */
import { createApiToken, listApiTokens, revokeApiToken } from '../../db/repositories/api-tokens.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const tokensCreateCommand: Command = {
  path: ['tokens', 'create'],
  summary: 'create a bearer token for the HTTP API (shown only once; only its SHA-256 is stored)',
  usage: 'envmon tokens create --name NAME [--json]',
  options: {
    name: { type: 'string', value: 'NAME', description: 'what the token is for, shown by tokens list (at most 100 characters)' },
    json: { type: 'boolean', default: false, description: 'print {id, name, token, createdAt} as JSON' },
  },
  examples: ['envmon tokens create --name dashboard'],
  run: async ({ values }, context) => {
    const name = typeof values.name === 'string' ? values.name.trim() : '';
    if (!name) throw new UsageError('--name NAME is required (what the token is for, e.g. --name dashboard)');
    if (name.length > 100) throw new UsageError('--name may be at most 100 characters');
    return withDatabase(context, async ({ db }) => {
      const created = await createApiToken(db, name, new Date());
      if (values.json) context.out(JSON.stringify({ id: created.id, name: created.name, token: created.token, createdAt: created.createdAt }));
      else {
        context.out(`token ${created.id} (${created.name}) created; it is shown only this once:`);
        context.out(created.token);
        context.out('send it as "Authorization: Bearer <token>"; revoke it with envmon tokens revoke ' + String(created.id));
      }
      return 0;
    });
  },
};

export const tokensListCommand: Command = {
  path: ['tokens', 'list'],
  summary: 'API tokens: name, created, last used, revoked (never the tokens themselves)',
  usage: 'envmon tokens list [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print [{id, name, createdAt, lastUsedAt, revokedAt}] as JSON' } },
  examples: ['envmon tokens list'],
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const tokens = await listApiTokens(db);
      if (values.json) {
        context.out(JSON.stringify(tokens, null, 2));
        return 0;
      }
      if (tokens.length === 0) context.out('no API tokens (create one with envmon tokens create --name NAME)');
      const when = (d: Date | null) => (d ? formatBeijing(d) : '—');
      for (const t of tokens) {
        context.out(`${String(t.id).padStart(5)}  ${t.name.padEnd(24)}  created ${when(t.createdAt)}  last used ${when(t.lastUsedAt).padEnd(16)}  ${t.revokedAt ? `revoked ${when(t.revokedAt)}` : 'active'}`);
      }
      if (tokens.length > 0) context.out('(times in Beijing time)');
      return 0;
    }),
};

export const tokensRevokeCommand: Command = {
  path: ['tokens', 'revoke'],
  summary: 'revoke an API token: requests with it get 403 from then on',
  usage: 'envmon tokens revoke ID',
  options: {},
  examples: ['envmon tokens revoke 3'],
  run: async ({ positionals }, context) => {
    const text = positionals[0] ?? '';
    const id = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(id)) throw new UsageError(`give the id of a token (see envmon tokens list), not "${text}"`);
    return withDatabase(context, async ({ db }) => {
      const result = await revokeApiToken(db, id, new Date());
      if (result.outcome === 'unknown') throw new UsageError(`no token ${id} (see envmon tokens list)`);
      if (result.outcome === 'already_revoked') throw new UsageError(`token ${id} was already revoked at ${formatBeijing(result.revokedAt)} (Beijing time)`);
      const name = (await listApiTokens(db)).find((t) => t.id === id)?.name ?? '';
      context.out(`token ${id} (${name}) revoked`);
      return 0;
    });
  },
};
