/** Refusals of console requests: a small page for a browser, {error} for a script (JSON or x-csrf-token requests). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.ts';
import { t, type MessageKey } from './i18n.ts';
import { renderPage } from './layout.ts';

export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return request.headers['x-csrf-token'] !== undefined || (accept.includes('application/json') && !accept.includes('text/html'));
}

export async function refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: MessageKey): Promise<void> {
  const text = t(request.lang, message);
  if (wantsJson(request)) {
    await reply.code(status).send({ error: text });
    return;
  }
  const title = t(request.lang, status === 404 ? 'error.notFound' : status >= 500 ? 'error.internal' : 'error.forbidden');
  await reply.code(status).type('text/html; charset=utf-8').send(renderPage(request, { title, body: html`<p class="error">${text}</p>` }));
}
