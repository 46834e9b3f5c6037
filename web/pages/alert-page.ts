/**
 * One alert: what it is judged against, the evidence that triggered it, its history and the actions taken on it;
 * for an operator, the acknowledge form (open alerts only) and the silence form.
 */
import type { FastifyRequest } from 'fastify';
import type { SilenceMatcher } from '../../db/repositories/silences.repository.ts';
import { originLabels } from '../../lib/data-origin.ts';
import { formatBeijing } from '../../lib/time.ts';
import type { consoleAlert } from '../../queries/alert-list-query.ts';
import { html, type SafeHtml } from '../html.ts';
import { t, type MessageKey } from '../i18n.ts';
import { renderPage } from '../layout.ts';
import { evidenceRows } from './alert-evidence.ts';
import { alertHeadline, severityMark, stateMark, subjectOf, valueAndLimit } from './alerts-page.ts';
import { canAct, csrfField, fill, flash, when } from './page-parts.ts';

export type AlertView = NonNullable<Awaited<ReturnType<typeof consoleAlert>>>;

/** The silence periods offered; the server accepts only these (the longest is the CLI's bound, 90 days). */
export const SILENCE_PERIODS = ['1h', '2h', '4h', '8h', '12h', '24h', '3d', '7d', '30d', '90d'] as const;

/** Limits of what a form may carry. */
export const NOTE_MAX = 1000;
export const REASON_MAX = 500;

const shown = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

function periodLabel(period: string, lang: 'zh' | 'en'): string {
  const n = period.slice(0, -1);
  const unit = period.slice(-1);
  if (lang === 'en') return `${n} ${unit === 'h' ? 'hours' : 'days'}`;
  return `${n} ${unit === 'h' ? '小时' : '天'}`;
}

/** A state in the history as its badge elsewhere on the page shows it. */
function stateWord(state: string, lang: 'zh' | 'en'): SafeHtml {
  const known = ['pending', 'firing', 'acknowledged', 'silenced', 'resolved'];
  return known.includes(state) ? html`<span class="state state-${state}">${t(lang, `alerts.state.${state}` as MessageKey)}</span>` : html`<code>${state}</code>`;
}

export function describeMatcher(matcher: SilenceMatcher, lang: 'zh' | 'en'): SafeHtml {
  const names: Record<keyof SilenceMatcher, [string, string]> = { rule: ['规则', 'rule'], site: ['站点', 'site'], parameter: ['参数', 'parameter'], source: ['数据源', 'source'] };
  const parts = (Object.keys(names) as (keyof SilenceMatcher)[]).flatMap((k) => (matcher[k] ? [html`<li>${names[k][lang === 'en' ? 1 : 0]} = <code>${matcher[k]}</code></li>`] : []));
  return html`<ul class="matcher">${parts}</ul>`;
}

export function renderAlertPage(request: FastifyRequest, view: AlertView, matcher: SilenceMatcher, message: { done: string | null; error: string | null }): string {
  const lang = request.lang;
  const { alert, history, audit } = view;
  const { value, limit } = valueAndLimit(alert);
  const fact = (label: string, content: SafeHtml | string) => html`<dt>${label}</dt><dd>${content}</dd>`;
  const facts = html`<dl class="facts">
${fact(t(lang, 'alerts.col.state'), stateMark(alert, lang))}
${fact(t(lang, 'alerts.col.severity'), severityMark(alert, lang))}
${fact(t(lang, 'alert.rule'), html`<code>${alert.ruleId}</code>`)}
${fact(t(lang, 'alerts.col.site'), subjectOf(alert, lang))}
${value ? fact(t(lang, 'alerts.col.value'), value) : ''}
${limit ? fact(t(lang, 'alerts.col.limit'), limit) : ''}
${alert.origin ? fact(t(lang, 'alert.origin'), html`<span class="origin-mark">${originLabels[alert.origin][lang]}</span>`) : ''}
${fact(t(lang, 'alert.firstSeen'), when(lang, alert.firstSeenAt))}
${alert.firedAt ? fact(t(lang, 'alert.firedAt'), when(lang, alert.firedAt)) : ''}
${alert.resolvedAt ? fact(t(lang, 'alert.resolvedAt'), when(lang, alert.resolvedAt)) : ''}
${fact(t(lang, 'alert.lastEvaluated'), when(lang, alert.lastEvaluatedAt))}
${alert.late ? fact(t(lang, 'alert.late'), t(lang, 'common.yes')) : ''}
${alert.acknowledgedAt ? fact(t(lang, 'alert.acknowledged'), html`${fill(t(lang, 'alert.ackBy'), { who: alert.acknowledgedBy ?? '', when: formatBeijing(alert.acknowledgedAt) })}${alert.ackNote ? html`<br><q>${alert.ackNote}</q>` : ''}`) : ''}
${alert.silence ? fact(t(lang, 'alerts.state.silenced'), fill(t(lang, 'alert.silencedBy'), { until: formatBeijing(alert.silence.endsAt), reason: alert.silence.reason })) : ''}
</dl>`;
  const evidence = html`<section class="evidence"><h2>${t(lang, 'alert.evidence')}</h2>
<div class="table-wrap"><table class="data"><thead><tr><th scope="col">${t(lang, 'alert.col.key')}</th><th scope="col">${t(lang, 'alert.col.value')}</th></tr></thead>
<tbody>${evidenceRows(alert.evidence, lang).map((r) => html`<tr><th scope="row">${r.code ? html`<code>${r.label}</code>` : r.label}</th><td>${r.value}</td></tr>`)}</tbody></table></div></section>`;
  const events = html`<section class="history"><h2>${t(lang, 'alert.history')}</h2>
<div class="table-wrap"><table class="data"><thead><tr><th scope="col">${t(lang, 'alert.col.time')}</th><th scope="col">${t(lang, 'alert.col.change')}</th><th scope="col">${t(lang, 'alert.col.note')}</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${when(lang, h.at)}</td><td>${h.from_state ? stateWord(h.from_state, lang) : '—'} → ${stateWord(h.to_state, lang)}</td><td>${h.note ?? ''}</td></tr>`)}</tbody></table></div></section>`;
  const actions = html`<section class="audit"><h2>${t(lang, 'alert.audit')}</h2>
${audit.length === 0 ? html`<p class="empty">${t(lang, 'common.empty')}</p>` : html`<div class="table-wrap"><table class="data"><thead><tr><th scope="col">${t(lang, 'ops.a.time')}</th><th scope="col">${t(lang, 'ops.a.user')}</th><th scope="col">${t(lang, 'ops.a.action')}</th><th scope="col">${t(lang, 'ops.a.detail')}</th></tr></thead>
<tbody>${audit.map((a) => html`<tr><td>${when(lang, a.at)}</td><td>${a.user_name ?? ''}</td><td><code>${a.action}</code></td><td class="detail"><code>${shown(a.detail)}</code></td></tr>`)}</tbody></table></div>`}</section>`;
  const forms = canAct(request)
    ? html`<section class="actions">
${alert.state === 'resolved' ? '' : html`<form method="post" action="/alerts/${alert.id}/ack" class="ack-form">
<h2>${t(lang, 'alert.ack.heading')}</h2>
${csrfField(request)}
<label for="ack-note">${t(lang, 'alert.ack.note')}</label>
<textarea id="ack-note" name="note" required maxlength="${NOTE_MAX}" rows="3"></textarea>
<button type="submit">${t(lang, 'alert.ack.submit')}</button>
</form>`}
<form method="post" action="/alerts/${alert.id}/silence" class="silence-form">
<h2>${t(lang, 'alert.silence.heading')}</h2>
${csrfField(request)}
<p>${t(lang, 'alert.silence.matches')}</p>
${describeMatcher(matcher, lang)}
<label for="silence-period">${t(lang, 'alert.silence.period')}</label>
<select id="silence-period" name="period" required>${SILENCE_PERIODS.map((p) => html`<option value="${p}"${p === '4h' ? html` selected` : ''}>${periodLabel(p, lang)}</option>`)}</select>
<label for="silence-reason">${t(lang, 'alert.silence.reason')}</label>
<input id="silence-reason" name="reason" required maxlength="${REASON_MAX}">
<button type="submit">${t(lang, 'alert.silence.submit')}</button>
</form>
</section>`
    : '';
  const body = html`${flash('done', message.done)}${flash('error', message.error)}
<p class="headline">${alertHeadline(alert, lang)}</p>
${facts}
${forms}
${evidence}
${events}
${actions}
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderPage(request, { title: `${t(lang, 'alert.title')} ${alert.id}`, active: 'alerts', body });
}
