/** 运维 → 操作审计: the audit trail, newest first (at most 200 entries), optionally of one action prefix. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listAudit } from '../../db/repositories/audit.repository.ts';
import type { AuditEntry } from '../../db/schema.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html } from '../html.ts';
import { t } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { field, sendPage, when } from './page-parts.ts';

const LIMIT = 200;

export function renderAuditPage(request: FastifyRequest, prefix: string, entries: readonly AuditEntry[]): string {
  const lang = request.lang;
  const body = html`<form method="get" action="/operations/audit" class="filters">
<label>${t(lang, 'ops.a.prefix')} <input name="action" value="${prefix}" maxlength="100" placeholder="alert."></label>
<button type="submit">${t(lang, 'common.filter')}</button>
</form>
${entries.length === 0 ? html`<p class="empty">${t(lang, 'ops.a.none')}</p>` : html`<div class="table-wrap"><table class="data audit">
<thead><tr><th scope="col">${t(lang, 'ops.a.time')}</th><th scope="col">${t(lang, 'ops.a.user')}</th><th scope="col">${t(lang, 'ops.a.action')}</th><th scope="col">${t(lang, 'ops.a.target')}</th><th scope="col">${t(lang, 'ops.a.detail')}</th><th scope="col">${t(lang, 'ops.a.remote')}</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${when(lang, e.at)}</td><td>${e.user_name ?? ''}</td><td><code>${e.action}</code></td><td>${e.target?.startsWith('alert:') ? html`<a href="/alerts/${e.target.slice(6)}">${e.target}</a>` : (e.target ?? '')}</td><td><code>${Object.keys(e.detail).length === 0 ? '' : JSON.stringify(e.detail)}</code></td><td>${e.remote ?? ''}</td></tr>`)}</tbody></table></div>`}
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderOperationsPage(request, 'ops.audit', body);
}

export async function registerAuditRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get<{ Querystring: Record<string, unknown> }>('/operations/audit', { preHandler: guards.operatorRead }, async (request, reply) => {
    const prefix = field(request.query, 'action').slice(0, 100);
    const entries = await listAudit(deps.db, { limit: LIMIT, ...(prefix ? { actionPrefix: prefix } : {}) });
    return sendPage(reply, renderAuditPage(request, prefix, entries));
  });
}
