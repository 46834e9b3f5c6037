/**
 * 运维 → 隔离数据: rejected input with its reason and code, filtered by status, code and source, 50 to a page
 * (newest first); an operator replays items once their cause is fixed or discards them (kept, marked discarded),
 * as `envmon quarantine replay|discard` do.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../db/repositories/audit.repository.ts';
import { discardQuarantinedAudited } from '../../db/repositories/operations-actions.repository.ts';
import { listQuarantined, pendingQuarantined, quarantineStatuses, type QuarantineFilter, type QuarantineStatus } from '../../db/repositories/quarantine-review.repository.ts';
import type { QuarantineItem } from '../../db/schema.ts';
import { replayQuarantined, type ReplayOutcome } from '../../evaluate/replay-quarantine.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html, type SafeHtml } from '../html.ts';
import { t, type MessageKey } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { actorOf, canAct, csrfField, field, fill, flash, idList, namedCode, sendPage, when } from './page-parts.ts';

const PAGE_SIZE = 50;
/** Items one POST may act on. */
const MAX_ITEMS = 200;
/** Characters of raw input shown per item; the rest is cut (the CLI's `quarantine show --json` gives all). */
const RAW_SHOWN = 4000;

/** What a replay did to each item, as the redirect counts them. */
const REPLAY_OUTCOMES = [
  { outcome: 'stored', param: 'stored', key: 'ops.q.outcome.stored' },
  { outcome: 'unchanged', param: 'unchanged', key: 'ops.q.outcome.unchanged' },
  { outcome: 'still rejected', param: 'rejected', key: 'ops.q.outcome.rejected' },
  { outcome: 'not replayable', param: 'unreplayable', key: 'ops.q.outcome.unreplayable' },
] as const satisfies readonly { outcome: ReplayOutcome['outcome']; param: string; key: MessageKey }[];

function filterOf(query: Record<string, unknown>): QuarantineFilter {
  const status = field(query, 'status');
  const code = field(query, 'code');
  const source = field(query, 'source');
  const before = field(query, 'before');
  return {
    status: (quarantineStatuses as readonly string[]).includes(status) ? (status as QuarantineStatus) : 'pending',
    code: code === '' ? undefined : code.slice(0, 100),
    source: source === '' ? undefined : source.slice(0, 200),
    beforeId: /^\d{1,15}$/.test(before) ? Number(before) : undefined,
    limit: PAGE_SIZE,
  };
}

function rawText(item: QuarantineItem, lang: 'zh' | 'en'): SafeHtml {
  const cut = item.raw.length > RAW_SHOWN;
  return html`<pre class="raw">${cut ? item.raw.slice(0, RAW_SHOWN) : item.raw}</pre>${cut ? html`<p class="muted">${fill(t(lang, 'ops.q.truncated'), { n: RAW_SHOWN })}</p>` : ''}${item.raw_bytes ? html`<p class="muted">${fill(t(lang, 'ops.q.rawBytes'), { n: item.raw_bytes.length })}</p>` : ''}`;
}

export function renderQuarantinePage(request: FastifyRequest, filter: QuarantineFilter, items: readonly QuarantineItem[], message: { done: string | null; error: string | null }): string {
  const lang = request.lang;
  const act = canAct(request) && filter.status === 'pending';
  const filters = html`<form method="get" action="/operations/quarantine" class="filters">
<label>${t(lang, 'ops.q.status')} <select name="status">${quarantineStatuses.map((s) => html`<option value="${s}"${s === filter.status ? html` selected` : ''}>${t(lang, `ops.q.status.${s}` as MessageKey)}</option>`)}</select></label>
<label>${t(lang, 'ops.q.code')} <input name="code" value="${filter.code ?? ''}" maxlength="100"></label>
<label>${t(lang, 'ops.q.source')} <input name="source" value="${filter.source ?? ''}" maxlength="200"></label>
<button type="submit">${t(lang, 'common.filter')}</button>
</form>`;
  const rows = items.map(
    (i) => html`<tr>
${act ? html`<td><input type="checkbox" name="id" value="${i.id}" aria-label="${i.id}"></td>` : ''}
<td>${i.id}</td><td>${when(lang, i.received_at)}</td><td>${i.source_id ?? '-'}</td><td>${namedCode(lang, 'ops.q.code', i.code)}</td><td>${i.reason}${i.resolution ? html`<br><span class="muted">${t(lang, 'ops.q.resolution')}: ${i.resolution}</span>` : ''}</td>
<td>${rawText(i, lang)}</td></tr>`,
  );
  const table = html`<div class="table-wrap"><table class="data quarantine">
<thead><tr>${act ? html`<th scope="col"></th>` : ''}<th scope="col">#</th><th scope="col">${t(lang, 'ops.q.received')}</th><th scope="col">${t(lang, 'ops.q.source')}</th><th scope="col">${t(lang, 'ops.q.code')}</th><th scope="col">${t(lang, 'ops.q.reason')}</th><th scope="col">${t(lang, 'ops.q.raw')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const last = items.at(-1);
  const next = items.length === PAGE_SIZE && last ? html`<p class="pager"><a href="/operations/quarantine?${new URLSearchParams({ status: filter.status, ...(filter.code ? { code: filter.code } : {}), ...(filter.source ? { source: filter.source } : {}), before: String(last.id) }).toString()}">${t(lang, 'common.next')}</a></p>` : '';
  const list =
    items.length === 0
      ? html`<p class="empty">${t(lang, 'ops.q.none')}</p>`
      : act
        ? html`<form method="post" action="/operations/quarantine/replay" class="quarantine-actions">
${csrfField(request)}
${table}
<button type="submit">${t(lang, 'ops.q.replay')}</button>
<label>${t(lang, 'ops.q.discardNote')} <input name="note" maxlength="500"></label>
<button type="submit" formaction="/operations/quarantine/discard">${t(lang, 'ops.q.discard')}</button>
</form>`
        : table;
  const body = html`${flash('done', message.done)}${flash('error', message.error)}
${filters}
${list}
${next}
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderOperationsPage(request, 'ops.quarantine', body);
}

export async function registerQuarantineRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get<{ Querystring: Record<string, unknown> }>('/operations/quarantine', { preHandler: guards.operatorRead }, async (request, reply) => {
    const filter = filterOf(request.query);
    const items = await listQuarantined(deps.db, filter);
    const lang = request.lang;
    const doneKind = field(request.query, 'done');
    const count = (name: string) => Number(/^\d{1,6}$/.exec(field(request.query, name))?.[0] ?? 0);
    const outcomes = REPLAY_OUTCOMES.map((o) => `${t(lang, o.key)} ${count(o.param)}`).join(lang === 'zh' ? '，' : ', ');
    const done = doneKind === 'discard' ? fill(t(lang, 'ops.q.done.discard'), { n: count('n') }) : doneKind === 'replay' ? fill(t(lang, 'ops.q.done.replay'), { outcomes }) : null;
    const errorKind = field(request.query, 'error');
    const error = errorKind === 'ids' ? t(lang, 'ops.q.error.ids') : errorKind === 'pool' ? t(lang, 'ops.q.error.noPool') : null;
    return sendPage(reply, renderQuarantinePage(request, filter, items, { done, error }));
  });

  app.post('/operations/quarantine/replay', { preHandler: guards.operatorAction }, async (request, reply) => {
    const ids = idList(request.body, 'id', MAX_ITEMS);
    if (!ids) return reply.redirect('/operations/quarantine?error=ids', 303);
    if (!deps.pool) return reply.redirect('/operations/quarantine?error=pool', 303);
    const items = await pendingQuarantined(deps.db, ids);
    const outcomes = await replayQuarantined({ db: deps.db, pool: deps.pool, parameterIds: deps.parameterIds, partitions: new Set(), now: deps.now }, items, deps.config);
    // The readings are stored (and committed) by the ingest path itself; the audit entry records what came of it.
    await recordAudit(deps.db, { ...actorOf(request), action: 'quarantine.replay', target: ids.length === 1 ? `quarantine:${ids[0] ?? ''}` : 'quarantine:*', detail: { outcomes } });
    const counts = Object.fromEntries(REPLAY_OUTCOMES.map((o) => [o.param, String(outcomes.filter((x) => x.outcome === o.outcome).length)]));
    return reply.redirect(`/operations/quarantine?${new URLSearchParams({ done: 'replay', ...counts }).toString()}`, 303);
  });

  app.post('/operations/quarantine/discard', { preHandler: guards.operatorAction }, async (request, reply) => {
    const ids = idList(request.body, 'id', MAX_ITEMS);
    if (!ids) return reply.redirect('/operations/quarantine?error=ids', 303);
    const note = field(request.body, 'note').slice(0, 500);
    const discarded = await discardQuarantinedAudited(deps.db, ids, note === '' ? null : note, actorOf(request));
    return reply.redirect(`/operations/quarantine?done=discard&n=${discarded.length}`, 303);
  });
}
