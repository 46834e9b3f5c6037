/**
 * The read-only HTTP JSON API (for the dashboard) and the health endpoint:
 *   GET /healthz                                   200 when the database answers, 503 otherwise
 *   GET /api/aqi?site=A,B&from=ISO&to=ISO[&daily=1]  as `envmon aqi --json`
 *   GET /api/stats?site=…&parameter=P&window=W&from=ISO&to=ISO   as `envmon stats --json`
 *   GET /api/alerts[?all=1]                          as `envmon alerts list --json`
 *   GET /api/targets[?year=YYYY&asOf=YYYY-MM-DD&all=1] as `envmon targets --json`
 * A request the API cannot answer as asked gets 400 with {error}; anything else 500 without details.
 */
import { createServer, type Server } from 'node:http';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import { alertsQuery } from '../queries/alerts-query.ts';
import { aqiQuery, QueryError, statsQuery } from '../queries/air-queries.ts';
import { targetsQuery } from '../queries/targets-query.ts';
import type { TargetConfig } from '../config/schema.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';

type Handler = (query: URLSearchParams) => Promise<unknown>;

export interface ApiDeps {
  db: Kysely<Database>;
  targets: readonly TargetConfig[];
  parameterIds: ParameterIds;
}

export async function startHttpServer(port: number, { db, targets, parameterIds }: ApiDeps, log: Logger): Promise<Server> {
  const param = (q: URLSearchParams, name: string) => q.get(name) ?? undefined;
  const routes: Record<string, Handler> = {
    '/api/aqi': (q) => aqiQuery(db, { site: param(q, 'site'), from: param(q, 'from'), to: param(q, 'to'), daily: q.get('daily') === '1' || q.get('daily') === 'true' }),
    '/api/stats': (q) => statsQuery(db, { site: param(q, 'site'), parameter: param(q, 'parameter'), window: param(q, 'window'), from: param(q, 'from'), to: param(q, 'to') }),
    '/api/alerts': (q) => alertsQuery(db, { all: q.get('all') === '1' || q.get('all') === 'true', limit: 500 }),
    '/api/targets': (q) => targetsQuery(db, targets, parameterIds, { year: param(q, 'year'), asOf: param(q, 'asOf'), all: q.get('all') === '1' || q.get('all') === 'true' }, new Date()),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    if (req.method !== 'GET') return reply(405, { error: 'only GET' });
    if (url.pathname === '/healthz') {
      sql`select 1`.execute(db).then(
        () => reply(200, { status: 'ok' }),
        () => reply(503, { status: 'database unavailable' }),
      );
      return;
    }
    const route = routes[url.pathname];
    if (!route) return reply(404, { error: 'not found' });
    route(url.searchParams).then(
      (body) => reply(200, body),
      (error: unknown) => {
        if (error instanceof QueryError) return reply(400, { error: error.message });
        log.error('API request failed', { path: url.pathname, error: error instanceof Error ? error.message : String(error) });
        reply(500, { error: 'internal error' });
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
}
