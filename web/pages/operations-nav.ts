/** The sub-navigation of 运维 and the page frame its sub-pages share. */
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../html.ts';
import { t, type MessageKey } from '../i18n.ts';
import { renderPage } from '../layout.ts';

export const operationsSections = [
  { key: 'ops.sources', href: '/operations/sources' },
  { key: 'ops.quarantine', href: '/operations/quarantine' },
  { key: 'ops.deliveries', href: '/operations/deliveries' },
  { key: 'ops.audit', href: '/operations/audit' },
  { key: 'ops.queues', href: '/operations/queues' },
] as const satisfies readonly { key: MessageKey; href: string }[];

export function renderOperationsPage(request: FastifyRequest, section: (typeof operationsSections)[number]['key'] | null, body: SafeHtml): string {
  const lang = request.lang;
  const nav = html`<nav class="subnav" aria-label="${t(lang, 'ops.title')}">${operationsSections.map((s) => html`<a href="${s.href}"${s.key === section ? html` class="active" aria-current="page"` : ''}>${t(lang, s.key)}</a>`)}</nav>`;
  return renderPage(request, { title: section ? `${t(lang, 'ops.title')} · ${t(lang, section)}` : t(lang, 'ops.title'), active: 'operations', body: html`${nav}\n${body}` });
}
