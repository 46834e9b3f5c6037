/**
 * The read-only console pages on a bare Fastify app, for route tests until the console server (session plugin,
 * guards) is available to them: request.consoleUser / csrfToken / lang set as the session plugin sets them.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config/load-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import type { Database } from '../../db/schema.ts';
import type { Kysely } from 'kysely';
import { createLogger } from '../../lib/logger.ts';
import { registerReadPages } from '../../web/pages/read-pages.ts';

export async function readPagesApp(db: Kysely<Database>, config: AppConfig, parameterIds: ParameterIds, now: () => Date): Promise<FastifyInstance> {
  const app = Fastify();
  app.decorateRequest('consoleUser', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('lang', 'zh');
  app.addHook('onRequest', async (request) => {
    request.consoleUser = { id: 1, name: 'duty', role: 'viewer' };
    request.lang = (request.query as { lang?: string }).lang === 'en' ? 'en' : 'zh';
  });
  const pass = async () => {};
  const log = createLogger({ level: 'error', write: () => {} });
  await registerReadPages(app, { db, config, parameterIds, log, now }, { read: pass, operatorRead: pass, operatorAction: pass });
  await app.ready();
  return app;
}
