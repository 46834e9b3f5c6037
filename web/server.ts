/**
 * The HTTP server: the web console (pages behind sign-in), the read-only JSON API under /api (bearer tokens),
 * GET /healthz (200 when the database answers, else 503) and GET /metrics (Prometheus text), the last two open.
 *
 * Bounds: URLs of at most 2048 characters (414), headers of 8 KiB, no body on GET, bodies of 64 KiB, few requests
 * at a time (503 beyond: the API may not take every database connection from the workers), header and request
 * timeouts. Every answer carries a strict Content-Security-Policy: no inline script or style anywhere.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { activeApiTokenExists } from '../db/repositories/api-tokens.repository.ts';
import { pingDatabase } from '../db/ping-database.ts';
import { QueryError } from '../lib/query-error.ts';
import { createMetrics, type Metrics } from '../lib/metrics.ts';
import { registerAccountPages } from './account-pages.ts';
import { registerApiRoutes } from './api-routes.ts';
import { createGuards } from './guards.ts';
import { registerMetricsRoute } from './metrics-route.ts';
import { refuse, wantsJson } from './refusal.ts';
import { registerConsolePages } from './routes.ts';
import { installSessions } from './session.ts';
import type { WebDeps } from './web-deps.ts';

export interface ConsoleAppOptions {
  /** `token`: the JSON API needs a bearer token; `none`: open to anyone who can reach it. Default: the configuration's. */
  readonly auth?: 'token' | 'none';
  /** The process's metrics, shown by /metrics and counting responses by status code; a new registry by default. */
  readonly metrics?: Metrics;
}

export interface WebServerOptions extends ConsoleAppOptions {
  readonly port: number;
  /** Address to listen on; 127.0.0.1 unless configured otherwise. */
  readonly host: string;
}

export interface WebServer {
  readonly app: FastifyInstance;
  /** Where the console is, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Requests under /api handled at once (each may hold a database connection); more get 503. */
const MAX_API_IN_FLIGHT = 8;
/** Requests of any kind handled at once (pages load several assets in parallel). */
const MAX_IN_FLIGHT = 32;
const MAX_URL_LENGTH = 2048;

export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

/** The whole application, routes and hooks, without listening: tests answer requests with `app.inject`. */
export async function buildConsoleApp(deps: WebDeps, options: ConsoleAppOptions = {}): Promise<FastifyInstance> {
  const metrics = options.metrics ?? createMetrics();
  const auth = options.auth ?? deps.config.httpAuth;
  let inFlight = 0;
  let apiInFlight = 0;

  // Refusals that come before any parsing: written by the raw server, so that an overloaded process spends nothing.
  const early = (res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}) => {
    metrics.countHttpResponse(status);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra }).end(JSON.stringify({ error }));
  };

  const app = Fastify({
    logger: false,
    trustProxy: deps.config.console.trustProxy,
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // Unknown query parameters are refused, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => {
      const first = errors[0];
      const where = first?.instancePath ? first.instancePath.slice(1) : dataVar;
      return new Error(first?.keyword === 'additionalProperties' ? `unknown ${dataVar === 'querystring' ? 'parameter' : 'field'} ${JSON.stringify(String((first.params as { additionalProperty?: unknown }).additionalProperty))}` : `${where} ${first?.message ?? 'is invalid'}`);
    },
    serverFactory: (handler) =>
      createServer({ maxHeaderSize: 8192, requestTimeout: 15_000, headersTimeout: 5_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req: IncomingMessage, res: ServerResponse) => {
        if ((req.url ?? '').length > MAX_URL_LENGTH) return early(res, 414, `the URL is longer than ${MAX_URL_LENGTH} characters`);
        const api = (req.url ?? '').startsWith('/api');
        if (inFlight >= MAX_IN_FLIGHT || (api && apiInFlight >= MAX_API_IN_FLIGHT)) return early(res, 503, 'busy, try again', { 'retry-after': '1' });
        inFlight++;
        if (api) apiInFlight++;
        res.once('close', () => {
          inFlight--;
          if (api) apiInFlight--;
        });
        handler(req, res);
      }),
  });
  app.server.maxRequestsPerSocket = 1000;
  app.server.maxConnections = 256;

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });

  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS);
    // A GET or HEAD has no body: refuse one rather than leave it on the connection.
    if ((request.method === 'GET' || request.method === 'HEAD') && (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) !== 0)) {
      await reply.code(400).header('connection', 'close').send({ error: 'requests take no body' });
    }
  });
  app.addHook('onResponse', async (_request, reply) => metrics.countHttpResponse(reply.statusCode));
  installSessions(app, deps);

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const json = request.url.startsWith('/api') || wantsJson(request);
    if (error.validation || error instanceof QueryError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
      const status = error.validation || error instanceof QueryError ? 400 : (error.statusCode ?? 400);
      if (json) return reply.code(status).send({ error: error.message });
      return reply.code(status).type('text/plain; charset=utf-8').send(error.message);
    }
    deps.log.error('HTTP request failed', { path: request.url.split('?')[0], error: error.message });
    if (json) return reply.code(500).send({ error: 'internal error' });
    return refuse(request, reply, 500, 'error.internal');
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith('/api') || request.url === '/healthz' || request.url.startsWith('/metrics')) return reply.code(404).send({ error: 'not found' });
    return refuse(request, reply, 404, 'error.notFound');
  });

  app.get('/healthz', async (_request, reply) =>
    pingDatabase(deps.db).then(
      () => reply.header('cache-control', 'no-store').send({ status: 'ok' }),
      () => reply.code(503).header('cache-control', 'no-store').send({ status: 'database unavailable' }),
    ),
  );
  registerMetricsRoute(app, deps.db, metrics);
  await registerApiRoutes(app, deps, auth);

  const guards = createGuards(deps);
  await registerAccountPages(app, deps);
  await registerConsolePages(app, deps, guards);
  return app;
}

/** Builds the application and listens; a port already taken is an error naming ENVMON_HTTP_PORT. */
export async function startWebServer(options: WebServerOptions, deps: WebDeps): Promise<WebServer> {
  const app = await buildConsoleApp(deps, options);
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} on ${options.host} is already in use: set ENVMON_HTTP_PORT to a free port (or ENVMON_HTTP_PORT=off to serve no console)`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`cannot listen on ${options.host}: set ENVMON_HTTP_HOST to an address of this machine`);
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  const auth = options.auth ?? deps.config.httpAuth;
  if (auth === 'none') {
    deps.log.warn('the JSON API is open to anyone who can reach it (ENVMON_HTTP_AUTH=none)', { host: options.host, port });
  } else if (!(await activeApiTokenExists(deps.db))) {
    // Not a fault: the console needs no token, and a deployment may never use the JSON API.
    deps.log.info('the JSON API needs a bearer token and none exists yet (/api answers 401): create one with envmon tokens create --name NAME');
  }
  return {
    app,
    url,
    port,
    close: async () => {
      // Keep-alive connections of browsers would hold the close open for seconds.
      app.server.closeIdleConnections();
      await app.close();
    },
  };
}
