/**
 * The read-only JSON API (for dashboards), behind bearer tokens unless configured open:
 *   GET /api/aqi?site=A,B&from=ISO&to=ISO[&daily=1]  as `envmon aqi --json`
 *   GET /api/stats?site=…&parameter=P&window=W&from=ISO&to=ISO   as `envmon stats --json`
 *   GET /api/alerts[?all=1]                          as `envmon alerts list --json`
 *   GET /api/targets[?year=YYYY&asOf=YYYY-MM-DD&all=1] as `envmon targets --json`
 *   GET /api/assess?site=A,B|area=NAME&from=YYYY-MM-DD&to=YYYY-MM-DD   as `envmon assess --json`
 *   GET /api/rank?by=composite|pm2_5|goodRatio|change&from=…&to=…[&areas=1]   as `envmon rank --json`
 * Without a token, or with an unknown one: 401 with a Bearer challenge (even for unknown paths, which are not
 * revealed); with a revoked one: 403. A request the API cannot answer as asked gets 400 with {error}. GET only; each
 * query runs read-only with a statement timeout.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { makeReadOnly } from '../db/read-only-transaction.ts';
import { checkApiToken } from '../db/repositories/api-tokens.repository.ts';
import type { Database } from '../db/schema.ts';
import { bearerToken } from '../lib/api-token.ts';
import { alertsQuery } from '../queries/alerts-query.ts';
import { aqiQuery, statsQuery } from '../queries/air-queries.ts';
import { assessAir } from '../queries/air-assessment-query.ts';
import { rankAir, type RankBy } from '../queries/rank-query.ts';
import { targetsQuery } from '../evaluate/target-standings.ts';
import { apiParameterProblem, apiQueryLimits } from '../workers/http-api-params.ts';
import type { WebDeps } from './web-deps.ts';

/** How long one API query may run in the database. */
const STATEMENT_TIMEOUT_MS = 10_000;
const REALM = 'Bearer realm="envmon"';

type Query = Record<string, string | undefined>;
type Handler = (tx: Transaction<Database>, q: Query, search: URLSearchParams) => Promise<unknown>;

const text = { type: 'string', maxLength: 1024 } as const;
const flag = { type: 'string', pattern: '^(1|true|0|false)$' } as const;
const date = { type: 'string', maxLength: 40 } as const;

/** The parameters of each route, as JSON schema; http-api-params.ts explains a refusal first, in the API's words. */
const schemas: Record<string, Record<string, object>> = {
  '/api/aqi': { site: text, from: date, to: date, daily: flag },
  '/api/stats': { site: text, parameter: { type: 'string', maxLength: 40 }, window: { type: 'string', maxLength: 10 }, from: date, to: date },
  '/api/alerts': { all: flag },
  '/api/targets': { year: { type: 'string', maxLength: 10 }, asOf: date, all: flag },
  '/api/assess': { site: text, area: { type: 'string', maxLength: 200 }, from: date, to: date },
  '/api/rank': { by: { type: 'string', enum: ['composite', 'pm2_5', 'goodRatio', 'change'] }, from: date, to: date, areas: flag },
};

const isTrue = (value: string | undefined) => value === '1' || value === 'true';

export async function registerApiRoutes(app: FastifyInstance, deps: WebDeps, auth: 'token' | 'none'): Promise<void> {
  const { db, config, parameterIds, log, now } = deps;
  const handlers: Record<string, Handler> = {
    '/api/aqi': (tx, q, s) => aqiQuery(tx, { site: q.site, from: q.from, to: q.to, daily: isTrue(q.daily) }, { now: now(), limits: apiQueryLimits('/api/aqi', s) }),
    '/api/stats': (tx, q, s) => statsQuery(tx, { site: q.site, parameter: q.parameter, window: q.window, from: q.from, to: q.to }, { now: now(), limits: apiQueryLimits('/api/stats', s) }),
    '/api/alerts': (tx, q) => alertsQuery(tx, { all: isTrue(q.all), limit: 500 }),
    '/api/targets': (tx, q) => targetsQuery(tx, config.targets, parameterIds, { year: q.year, asOf: q.asOf, all: isTrue(q.all) }, now()),
    '/api/assess': (tx, q) => {
      const sites = q.site?.split(',').map((s) => s.trim()).filter(Boolean);
      return assessAir(tx, { dustDays: config.dustDays }, { ...(sites ? { sites } : {}), ...(q.area === undefined ? {} : { area: q.area }), from: q.from ?? '', to: q.to ?? '' }, now());
    },
    '/api/rank': (tx, q) => rankAir(tx, { dustDays: config.dustDays }, { by: (q.by ?? 'composite') as RankBy, from: q.from ?? '', to: q.to ?? '', areas: isTrue(q.areas) }, now()),
  };

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        await reply.code(405).header('allow', 'GET').header('connection', 'close').send({ error: 'only GET' });
        return;
      }
      if (auth === 'token') await checkToken(db, request, reply, log, now);
    });

    for (const [url, handler] of Object.entries(handlers)) {
      api.get(url, {
        schema: { querystring: { type: 'object', properties: schemas[url] ?? {}, additionalProperties: false } },
        // The API's own words for a refusal (unknown or repeated parameter, range too long) come before the schema's.
        preValidation: async (request, reply) => {
          const problem = apiParameterProblem(url, searchParams(request));
          if (problem !== null) await reply.code(400).send({ error: problem });
        },
        handler: async (request) => {
          const search = searchParams(request);
          // Read-only, and bounded in time: a heavy query is cancelled by the database instead of holding a connection.
          return readOnly(db, (tx) => handler(tx, request.query as Query, search));
        },
      });
    }
    // Unknown paths under /api answer after the token check: a caller without one learns nothing of them.
    const notFound = async (_request: FastifyRequest, reply: FastifyReply) => reply.code(404).send({ error: 'not found' });
    api.get('/api', notFound);
    api.get('/api/*', notFound);
    api.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/api', handler: notFound });
    api.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/*', handler: notFound });
  });
}

function searchParams(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1));
}

async function readOnly<T>(db: Kysely<Database>, work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await makeReadOnly(tx, STATEMENT_TIMEOUT_MS);
    return work(tx);
  });
}

async function checkToken(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, log: WebDeps['log'], now: () => Date): Promise<void> {
  const path = request.url.split('?')[0];
  const token = bearerToken(request.headers.authorization);
  if (token === null) {
    await reply
      .code(401)
      .header('www-authenticate', REALM)
      .send({ error: 'this API needs a bearer token (Authorization: Bearer …); create one with envmon tokens create --name NAME' });
    return;
  }
  const check = await checkApiToken(db, token, now());
  if (check.status === 'unknown') {
    log.debug('API request with an unknown token', { path, remote: request.ip });
    await reply.code(401).header('www-authenticate', `${REALM}, error="invalid_token"`).send({ error: 'unknown token' });
    return;
  }
  if (check.status === 'revoked') {
    log.warn('revoked API token used', { tokenId: check.id, tokenName: check.name, path, remote: request.ip });
    await reply.code(403).send({ error: 'this token was revoked' });
  }
}
