/**
 * The HTTP server: probes, metrics, and the read-only JSON API (for the dashboard).
 *   GET /healthz                                   200 when the database answers, 503 otherwise (open)
 *   GET /metrics                                   Prometheus text (open)
 *   GET /api/aqi?site=A,B&from=ISO&to=ISO[&daily=1]  as `envmon aqi --json`
 *   GET /api/stats?site=…&parameter=P&window=W&from=ISO&to=ISO   as `envmon stats --json`
 *   GET /api/alerts[?all=1]                          as `envmon alerts list --json`
 *   GET /api/targets[?year=YYYY&asOf=YYYY-MM-DD&all=1] as `envmon targets --json`
 *   GET /api/assess?site=A,B|area=NAME&from=YYYY-MM-DD&to=YYYY-MM-DD   as `envmon assess --json`
 *   GET /api/rank?by=composite|pm2_5|goodRatio|change&from=…&to=…[&areas=1]   as `envmon rank --json`
 * The JSON API needs `Authorization: Bearer <token>` (401 without or with an unknown token, 403 with a revoked one)
 * unless configured open. A request the API cannot answer as asked gets 400 with {error}; anything else 500
 * without details. Requests are bounded: GET only, no body, short URLs and headers, few at a time, each query
 * read-only with a statement timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sql, type Kysely } from 'kysely';
import type { TargetConfig } from '../config/schema.ts';
import { checkApiToken } from '../db/repositories/api-tokens.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { Database } from '../db/schema.ts';
import { bearerToken } from '../lib/api-token.ts';
import type { Logger } from '../lib/logger.ts';
import { createMetrics, metricsResponse, type Metrics } from '../lib/metrics.ts';
import { alertsQuery } from '../queries/alerts-query.ts';
import { aqiQuery, QueryError, statsQuery } from '../queries/air-queries.ts';
import { targetsQuery } from '../queries/targets-query.ts';
import { assessAir } from '../queries/air-assessment-query.ts';
import { rankAir, type RankBy } from '../queries/rank-query.ts';
import type { AppConfig } from '../config/load-config.ts';
import { apiParameterProblem, apiQueryLimits } from './http-api-params.ts';

export interface HttpOptions {
  port: number;
  /** Address to listen on; 127.0.0.1 unless configured otherwise. */
  host: string;
  /** `token`: the JSON API needs a bearer token; `none`: it is open to anyone who can reach it. */
  auth: 'token' | 'none';
}

export interface ApiDeps {
  db: Kysely<Database>;
  targets: readonly TargetConfig[];
  parameterIds: ParameterIds;
  /** Dust-affected days of the configuration, for assessments (default none). */
  dustDays?: AppConfig['dustDays'];
  /** The process's metrics, shown by /metrics and counting every response; default a registry of the server's own. */
  metrics?: Metrics;
  now?: () => Date;
}

/** Requests handled at once; more get 503, so that the API cannot take every database connection from the workers. */
const MAX_IN_FLIGHT = 8;
const MAX_URL_LENGTH = 2048;
/** How long one API query may run in the database. */
const STATEMENT_TIMEOUT_MS = 10_000;
const REALM = 'Bearer realm="envmon"';

type Handler = (db: Kysely<Database>, query: URLSearchParams) => Promise<unknown>;

export async function startHttpServer(options: HttpOptions, { db, targets, parameterIds, dustDays = [], metrics = createMetrics(), now = () => new Date() }: ApiDeps, log: Logger): Promise<Server> {
  const param = (q: URLSearchParams, name: string) => q.get(name) ?? undefined;
  const flag = (q: URLSearchParams, name: string) => q.get(name) === '1' || q.get(name) === 'true';
  const routes: Record<string, Handler> = {
    '/api/aqi': (tx, q) => aqiQuery(tx, { site: param(q, 'site'), from: param(q, 'from'), to: param(q, 'to'), daily: flag(q, 'daily') }, { now: now(), limits: apiQueryLimits('/api/aqi', q) }),
    '/api/stats': (tx, q) => statsQuery(tx, { site: param(q, 'site'), parameter: param(q, 'parameter'), window: param(q, 'window'), from: param(q, 'from'), to: param(q, 'to') }, { now: now(), limits: apiQueryLimits('/api/stats', q) }),
    '/api/alerts': (tx, q) => alertsQuery(tx, { all: flag(q, 'all'), limit: 500 }),
    '/api/targets': (tx, q) => targetsQuery(tx, targets, parameterIds, { year: param(q, 'year'), asOf: param(q, 'asOf'), all: flag(q, 'all') }, now()),
    '/api/assess': (tx, q) => {
      const sites = param(q, 'site')?.split(',').map((s) => s.trim()).filter(Boolean);
      const area = param(q, 'area');
      return assessAir(tx, { dustDays }, { ...(sites ? { sites } : {}), ...(area === undefined ? {} : { area }), from: param(q, 'from') ?? '', to: param(q, 'to') ?? '' }, now());
    },
    '/api/rank': (tx, q) => rankAir(tx, { dustDays }, { by: (param(q, 'by') ?? 'composite') as RankBy, from: param(q, 'from') ?? '', to: param(q, 'to') ?? '', areas: flag(q, 'areas') }, now()),
  };
  let inFlight = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      metrics.countHttpResponse(status);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return reply(405, { error: 'only GET' }, { allow: 'GET', connection: 'close' });
    // A body is never read: refuse one rather than leave it on the connection.
    if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) !== 0) return reply(400, { error: 'requests take no body' }, { connection: 'close' });
    if ((req.url ?? '').length > MAX_URL_LENGTH) return reply(414, { error: `the URL is longer than ${MAX_URL_LENGTH} characters` });
    const url = new URL(req.url ?? '/', 'http://localhost');

    if (url.pathname === '/healthz') {
      return sql`select 1`.execute(db).then(
        () => reply(200, { status: 'ok' }),
        () => reply(503, { status: 'database unavailable' }),
      );
    }
    if (url.pathname === '/metrics') {
      const { contentType, body } = await metricsResponse(metrics, db);
      metrics.countHttpResponse(200);
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
      return;
    }
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return reply(404, { error: 'not found' });

    if (options.auth === 'token') {
      const token = bearerToken(req.headers.authorization);
      if (token === null) return reply(401, { error: 'this API needs a bearer token (Authorization: Bearer …); create one with envmon tokens create --name NAME' }, { 'www-authenticate': REALM });
      const check = await checkApiToken(db, token, now());
      if (check.status === 'unknown') {
        log.debug('API request with an unknown token', { path: url.pathname, remote: req.socket.remoteAddress });
        return reply(401, { error: 'unknown token' }, { 'www-authenticate': `${REALM}, error="invalid_token"` });
      }
      if (check.status === 'revoked') {
        log.warn('revoked API token used', { tokenId: check.id, tokenName: check.name, path: url.pathname, remote: req.socket.remoteAddress });
        return reply(403, { error: 'this token was revoked' });
      }
    }

    const route = routes[url.pathname];
    if (!route) return reply(404, { error: 'not found' });
    const problem = apiParameterProblem(url.pathname, url.searchParams);
    if (problem !== null) return reply(400, { error: problem });
    try {
      // Read-only, and bounded in time: a heavy query is cancelled by the database instead of holding a connection.
      const body = await db.transaction().execute(async (tx) => {
        await sql`set transaction read only`.execute(tx);
        await sql`select set_config('statement_timeout', ${String(STATEMENT_TIMEOUT_MS)}, true)`.execute(tx);
        return route(tx, url.searchParams);
      });
      reply(200, body);
    } catch (error) {
      if (error instanceof QueryError) return reply(400, { error: error.message });
      throw error;
    }
  };

  const server = createServer({ maxHeaderSize: 8192, requestTimeout: 15_000, headersTimeout: 5_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
    if (inFlight >= MAX_IN_FLIGHT) {
      metrics.countHttpResponse(503);
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' }).end(JSON.stringify({ error: 'busy, try again' }));
      return;
    }
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        log.error('HTTP request failed', { path: (req.url ?? '').split('?')[0], error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) {
          metrics.countHttpResponse(500);
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'internal error' }));
        }
      })
      .finally(() => inFlight--);
  });
  server.maxRequestsPerSocket = 1000;
  server.maxConnections = 256;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.auth === 'none') {
    log.warn('the JSON API is open to anyone who can reach it (ENVMON_HTTP_AUTH=none)', { host: options.host, port: options.port });
  } else if ((await db.selectFrom('api_token').select('id').where('revoked_at', 'is', null).limit(1).execute()).length === 0) {
    log.warn('no API token exists yet: every /api request will get 401; create one with envmon tokens create --name NAME');
  }
  return server;
}
