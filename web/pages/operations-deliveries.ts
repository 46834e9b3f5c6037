/**
 * 运维 → 通知投递: deliveries of notifications (newest first, 100 to a page), failed ones with their last error;
 * an operator sends failed ones again, as `envmon notifications retry` does (the next outbox run sends them with
 * their original Message-ID).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listDeliveries, type DeliveryStatus } from '../../db/repositories/deliveries.repository.ts';
import { retryDeliveriesAudited } from '../../db/repositories/operations-actions.repository.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html } from '../html.ts';
import { t } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { actorOf, canAct, csrfField, field, fill, flash, idList, namedText, sendPage, when } from './page-parts.ts';

const PAGE_SIZE = 100;
const statuses = ['failed', 'pending', 'sent'] as const;

type Delivery = Awaited<ReturnType<typeof listDeliveries>>[number];

export function renderDeliveriesPage(request: FastifyRequest, status: DeliveryStatus | undefined, rows: readonly Delivery[], message: string | null): string {
  const lang = request.lang;
  const act = canAct(request);
  const tabs = html`<p class="filters">${[undefined, ...statuses].map((s) => html`<a href="/operations/deliveries${s ? `?status=${s}` : ''}"${s === status ? html` aria-current="page" class="active"` : ''}>${s ? namedText(lang, 'ops.d.status', s) : t(lang, 'common.all')}</a> `)}</p>`;
  const table = html`<div class="table-wrap"><table class="data deliveries">
<thead><tr><th scope="col">#</th><th scope="col">${t(lang, 'ops.d.status')}</th><th scope="col">${t(lang, 'ops.d.kind')}</th><th scope="col">${t(lang, 'ops.d.alert')}</th><th scope="col">${t(lang, 'ops.d.recipient')}</th><th scope="col">${t(lang, 'ops.d.channel')}</th><th scope="col" class="num">${t(lang, 'ops.d.attempts')}</th><th scope="col">${t(lang, 'ops.d.when')}</th><th scope="col">${t(lang, 'ops.d.lastError')}</th>${act ? html`<th scope="col"></th>` : ''}</tr></thead>
<tbody>${rows.map(
    (r) => html`<tr class="${r.status}">
<td>${r.id}</td><td><span class="state state-${r.status}">${namedText(lang, 'ops.d.status', r.status)}</span></td><td>${namedText(lang, 'ops.d.kind', r.kind)}</td><td>${r.alertId === null ? '-' : html`<a href="/alerts/${r.alertId}">${r.alertId}</a>`}</td><td>${r.recipient}</td><td>${namedText(lang, 'ops.d.channel', r.channel)}</td><td class="num">${r.attempts}</td>
<td>${when(lang, r.sentAt ?? (r.status === 'pending' ? r.nextAttemptAt : r.createdAt))}</td><td><span class="error-text">${r.lastError ?? ''}</span></td>
${act ? html`<td>${r.status === 'failed' ? html`<form method="post" action="/operations/deliveries/retry" class="inline">${csrfField(request)}<input type="hidden" name="id" value="${r.id}"><button type="submit">${t(lang, 'ops.d.retry')}</button></form>` : ''}</td>` : ''}</tr>`,
  )}</tbody></table></div>`;
  const last = rows.at(-1);
  const next = rows.length === PAGE_SIZE && last ? html`<p class="pager"><a href="/operations/deliveries?${new URLSearchParams({ ...(status ? { status } : {}), before: String(last.id) }).toString()}">${t(lang, 'common.next')}</a></p>` : '';
  const retryAll = act && rows.some((r) => r.status === 'failed') ? html`<form method="post" action="/operations/deliveries/retry" class="inline">${csrfField(request)}<input type="hidden" name="all" value="failed"><button type="submit">${t(lang, 'ops.d.retryAll')}</button></form>` : '';
  const body = html`${flash('done', message)}
${tabs}
${retryAll}
${rows.length === 0 ? html`<p class="empty">${t(lang, 'ops.d.none')}</p>` : table}
${next}
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderOperationsPage(request, 'ops.deliveries', body);
}

export async function registerDeliveryRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get<{ Querystring: Record<string, unknown> }>('/operations/deliveries', { preHandler: guards.operatorRead }, async (request, reply) => {
    const s = field(request.query, 'status');
    const status = (statuses as readonly string[]).includes(s) ? (s as DeliveryStatus) : undefined;
    const before = field(request.query, 'before');
    const rows = await listDeliveries(deps.db, { status, limit: PAGE_SIZE, beforeId: /^\d{1,15}$/.test(before) ? Number(before) : undefined });
    const n = /^\d{1,6}$/.exec(field(request.query, 'n'))?.[0];
    const message = field(request.query, 'done') === 'retry' && n !== undefined ? fill(t(request.lang, 'ops.d.done.retry'), { n }) : null;
    return sendPage(reply, renderDeliveriesPage(request, status, rows, message));
  });

  app.post('/operations/deliveries/retry', { preHandler: guards.operatorAction }, async (request, reply) => {
    const all = field(request.body, 'all') === 'failed';
    const ids = all ? 'all-failed' : idList(request.body, 'id', 200);
    if (!ids) return reply.code(400).send({ error: 'give delivery ids (id=…, at most 200) or all=failed' });
    const retried = await retryDeliveriesAudited(deps.db, ids, actorOf(request));
    return reply.redirect(`/operations/deliveries?status=failed&done=retry&n=${retried.length}`, 303);
  });
}
