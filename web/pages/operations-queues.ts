/**
 * 运维 → 任务队列. Redis queues are shown by bull-board under /operations/queues, read-only: its queue adapters are
 * made with `readOnlyMode` (no retry, clean, pause… buttons, and its API refuses those), and every request that
 * is not a GET or HEAD is refused here as well, since bull-board's own API carries no CSRF token. Its static files
 * are served from the installed @bull-board/ui; the one thing its page loads from elsewhere (a web font) is taken
 * out of the page. PostgreSQL queues are shown as job counts per queue (bull-board reads Redis directly).
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
import { fill, sendPage } from './page-parts.ts';

export const QUEUES_PATH = '/operations/queues';

/** The job states a count is shown for, in BullMQ's words. */
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface QueueCounts {
  readonly name: string;
  readonly counts: Partial<Record<(typeof STATES)[number], number>> | null;
  /** Why the counts could not be read. */
  readonly error: string | null;
}

/** Each queue's job counts; a queue that cannot be read says why instead of showing zeros. */
export async function queueCounts(queues: ConsoleQueues): Promise<QueueCounts[]> {
  return Promise.all(
    [...queues.queues].map(async ([name, queue]) => {
      try {
        return { name, counts: await queue.getJobCounts(...STATES), error: null };
      } catch (error) {
        return { name, counts: null, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

export function renderQueueCountsPage(request: FastifyRequest, queues: ConsoleQueues | undefined, counts: readonly QueueCounts[]): string {
  const lang = request.lang;
  const body = !queues
    ? html`<p class="flash error" role="alert">${t(lang, 'ops.qu.none')}</p>`
    : html`<p>${t(lang, 'ops.qu.postgres')}</p>
<table class="queues">
<thead><tr><th scope="col">${t(lang, 'ops.qu.queue')}</th>${STATES.map((s) => html`<th scope="col" class="num">${s}</th>`)}</tr></thead>
<tbody>${counts.map((q) => html`<tr><th scope="row"><code>${q.name}</code></th>${q.counts ? STATES.map((s) => html`<td class="num${s === 'failed' && (q.counts?.[s] ?? 0) > 0 ? ' failing' : ''}">${q.counts?.[s] ?? 0}</td>`) : html`<td colspan="${STATES.length}" class="error-text">${fill(t(lang, 'ops.qu.error'), { reason: q.error ?? '' })}</td>`}</tr>`)}</tbody>
</table>`;
  return renderOperationsPage(request, 'ops.queues', body);
}

/** bull-board over the Redis queues, read-only, behind the operator guard. */
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
    // The page bull-board renders links a web font from a CDN: the console loads nothing from elsewhere.
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      return payload.replace(/<link[^>]+href="https?:\/\/[^"]*"[^>]*>/g, '');
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUES_PATH });
  });
}

export async function registerQueueRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  const queues = deps.queues;
  if (queues?.kind === 'redis') return mountBullBoard(app, queues, guards);
  app.get(QUEUES_PATH, { preHandler: guards.operatorRead }, async (request, reply) => sendPage(reply, renderQueueCountsPage(request, queues, queues ? await queueCounts(queues) : [])));
}
