/** GET /metrics: Prometheus text, open to scrapers. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { metricsResponse, type Metrics } from '../lib/metrics.ts';

export function registerMetricsRoute(app: FastifyInstance, db: Kysely<Database>, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metricsResponse(metrics, db);
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
