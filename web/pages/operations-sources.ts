/** 运维 → 数据源: each source's health and cursor, and the operator's enable / disable (kept across restarts). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setSourceEnabledAudited } from '../../db/repositories/operations-actions.repository.ts';
import { sourceProgress, type SourceProgress } from '../../db/repositories/source-progress.repository.ts';
import { isEnabled, listSources } from '../../db/repositories/sources.repository.ts';
import type { Source } from '../../db/schema.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html } from '../html.ts';
import { t } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { actorOf, canAct, csrfField, flash, flashText, namedCode, sendNotFound, sendPage, when } from './page-parts.ts';

export function renderSourcesPage(request: FastifyRequest, sources: readonly Source[], progress: ReadonlyMap<string, SourceProgress>, message: string | null): string {
  const lang = request.lang;
  const rows = sources.map((s) => {
    const enabled = isEnabled(s);
    const toggle = canAct(request)
      ? html`<form method="post" action="/operations/sources/${s.id}/${enabled ? 'disable' : 'enable'}" class="inline">${csrfField(request)}<button type="submit">${t(lang, enabled ? 'ops.src.disable' : 'ops.src.enable')}</button></form>`
      : '';
    return html`<tr class="${s.consecutive_failures > 0 ? 'failing' : ''}${enabled ? '' : ' disabled'}">
<td><code>${s.id}</code></td><td>${namedCode(lang, 'ops.src.kind', s.kind)}</td><td>${s.name}</td>
<td>${t(lang, enabled ? 'common.yes' : 'common.no')} <span class="muted">(${t(lang, s.operator_enabled === null ? 'ops.src.enabledBy.configuration' : 'ops.src.enabledBy.operator')})</span> ${toggle}</td>
<td><code>${s.schedule}</code></td><td>${when(lang, s.cursor)}</td><td>${when(lang, progress.get(s.id)?.latestData ?? null)}</td><td>${when(lang, progress.get(s.id)?.oldestWatermark ?? null)}</td><td>${when(lang, s.last_success_at)}</td><td class="num">${s.last_run_rows ?? '-'}</td>
<td class="num">${s.consecutive_failures}</td><td>${s.last_error ? html`${when(lang, s.last_error_at)} <span class="error-text">${s.last_error}</span>` : ''}</td></tr>`;
  });
  const body = html`${flash('done', message)}
${sources.length === 0 ? html`<p class="empty">${t(lang, 'ops.src.none')}</p>` : html`<div class="table-wrap"><table class="data sources">
<thead><tr><th scope="col">${t(lang, 'ops.src.id')}</th><th scope="col">${t(lang, 'ops.src.kind')}</th><th scope="col">${t(lang, 'ops.src.name')}</th><th scope="col">${t(lang, 'ops.src.enabled')}</th><th scope="col">${t(lang, 'ops.src.schedule')}</th><th scope="col">${t(lang, 'ops.src.cursor')}</th><th scope="col">${t(lang, 'ops.src.latestData')}</th><th scope="col">${t(lang, 'ops.src.watermark')}</th><th scope="col">${t(lang, 'ops.src.lastSuccess')}</th><th scope="col" class="num">${t(lang, 'ops.src.rows')}</th><th scope="col" class="num">${t(lang, 'ops.src.failures')}</th><th scope="col">${t(lang, 'ops.src.lastError')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderOperationsPage(request, 'ops.sources', body);
}

export async function registerSourceRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get<{ Querystring: Record<string, unknown> }>('/operations/sources', { preHandler: guards.operatorRead }, async (request, reply) => {
    const sources = await listSources(deps.db);
    const id = typeof request.query.id === 'string' && sources.some((s) => s.id === request.query.id) ? request.query.id : '';
    const message = flashText(request.lang, request.query.done, { enable: 'ops.src.done.enable', disable: 'ops.src.done.disable' }, { id });
    return sendPage(reply, renderSourcesPage(request, sources, await sourceProgress(deps.db), message));
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/operations/sources/:id/${action}`, { preHandler: guards.operatorAction }, async (request, reply) => {
      const id = request.params.id;
      if (!(await setSourceEnabledAudited(deps.db, id, action === 'enable', actorOf(request)))) return sendNotFound(request, reply);
      return reply.redirect(`/operations/sources?done=${action}&id=${encodeURIComponent(id)}`, 303);
    });
  }
}
