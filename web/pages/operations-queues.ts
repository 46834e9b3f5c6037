/**
 * 运维 → 任务队列. The queues are shown by bull-board under /operations/queues, read-only: its queue adapters are
 * made with `readOnlyMode` (no retry, clean, pause… buttons, and its API refuses those), and every request that
 * is not a GET or HEAD is refused here as well, since bull-board's own API carries no CSRF token. Its static files
 * are served from the installed @bull-board/ui; the one thing its page loads from elsewhere (a web font) is taken
 * out of the page. bull-board 9 reads BullMQ 6's PostgreSQL backend through the same Queue API (job counts, job
 * lists, job details; its "Redis" panel reports the PostgreSQL server), so both backends get the same board.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsoleQueues } from '../console-queues.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html } from '../html.ts';
import { t } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { sendPage } from './page-parts.ts';

export const QUEUES_PATH = '/operations/queues';

/**
 * The SHA-256 of the one <style> element @bull-board/ui 9.10.2's script inserts, as Chromium reports it when the
 * policy refuses it (test/browser/queues-board.test.ts fails when an upgrade changes it).
 */
const BOARD_STYLE_HASH = 'sha256-r2N1TB/gHbBtBZFKg7ejmq1acVSREzucTAEw6ga4hoU=';

export function renderNoQueuesPage(request: FastifyRequest): string {
  return renderOperationsPage(request, 'ops.queues', html`<p class="flash error" role="alert">${t(request.lang, 'ops.qu.none')}</p>`);
}

/** bull-board over the queues (either backend), read-only, behind the operator guard. */
async function mountBullBoard(app: FastifyInstance, queues: ConsoleQueues, guards: ConsoleGuards): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: [...queues.queues.values()].map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    // @bull-board/fastify declares its adapter against its own copy of @bull-board/api's types (same shape).
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'envmon', locale: { lng: 'zh-CN' }, hideDocsLink: true } },
  });
  await app.register(async (scope) => {
    scope.addHook('preHandler', guards.operatorRead);
    scope.addHook('preHandler', async (request, reply) => {
      if (reply.sent) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') await reply.code(405).header('allow', 'GET, HEAD').send({ error: 'the queue board is read-only' });
    });
    // The page bull-board renders links a web font from a CDN (the console loads nothing from elsewhere) and styles
    // its loading placeholder inline (refused by the CSP): both are taken out of the page.
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      // Its script adds one fixed <style> element of its own: allowed by its hash, nothing else inline.
      const policy = reply.getHeader('content-security-policy');
      if (typeof policy === 'string') void reply.header('content-security-policy', policy.replace("style-src 'self'", `style-src 'self' '${BOARD_STYLE_HASH}'`));
      return payload
        .replace(/<link[^>]+href="https?:\/\/[^"]*"[^>]*>/g, '')
        .replace(/<style>[\s\S]*?<\/style>/g, '')
        .replace(/ style="[^"]*"/g, '');
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUES_PATH });
  });
}

export async function registerQueueRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  if (deps.queues) return mountBullBoard(app, deps.queues, guards);
  // Without queue handles nothing can be read: say so rather than show an empty board.
  app.get(QUEUES_PATH, { preHandler: guards.operatorRead }, async (request, reply) => sendPage(reply, renderNoQueuesPage(request)));
}
