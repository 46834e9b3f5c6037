/** GET /metrics: Prometheus text, open to scrapers. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../lib/prometheus-text.ts';
import { metricsText, type HttpCounters } from '../workers/http-metrics.ts';

export function registerMetricsRoute(app: FastifyInstance, db: Kysely<Database>, counters: HttpCounters): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await metricsText(db, counters);
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });
}
