/** 告警: the open alerts and those resolved lately, each with what it is judged against. */
import type { FastifyRequest } from 'fastify';
import { originLabels } from '../../lib/data-origin.ts';
import { headline } from '../../notify/templates.ts';
import { parameterLabel, withUnit } from '../../standards/labels.ts';
import type { ConsoleAlert } from '../../queries/alert-list-query.ts';
import { html, type SafeHtml } from '../html.ts';
import { t, type MessageKey } from '../i18n.ts';
import { renderPage } from '../layout.ts';
import { fill, when } from './page-parts.ts';

const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** The alert's one-line account, as its notification's headline says it (demonstration data marked first). */
export function alertHeadline(alert: ConsoleAlert, lang: 'zh' | 'en'): string {
  return headline({ kind: alert.state === 'resolved' ? 'resolution' : 'alert', alertId: alert.id, severity: alert.severity, evidence: alert.evidence, site: alert.site, trend: [] }, lang === 'en' ? 'en' : 'zh-CN');
}

export function severityMark(alert: Pick<ConsoleAlert, 'severity'>, lang: 'zh' | 'en'): SafeHtml {
  return html`<span class="severity severity-${alert.severity}">${t(lang, `alerts.severity.${alert.severity}` as MessageKey)}</span>`;
}

export function stateMark(alert: Pick<ConsoleAlert, 'displayState'>, lang: 'zh' | 'en'): SafeHtml {
  return html`<span class="state state-${alert.displayState}">${t(lang, `alerts.state.${alert.displayState}` as MessageKey)}</span>`;
}

export function subjectOf(alert: ConsoleAlert, lang: 'zh' | 'en'): string {
  if (alert.site) return lang === 'en' ? alert.site.nameEn : alert.site.nameZh;
  return alert.sourceId ?? text(alert.evidence.source) ?? '-';
}

/** The value and the limit with units, when the evidence has them (a threshold alert). */
export function valueAndLimit(alert: ConsoleAlert): { value: string; limit: string } {
  const parameter = text(alert.evidence.parameter) ?? alert.parameter;
  const value = text(alert.evidence.value);
  const limit = text(alert.evidence.limit);
  return { value: value === null ? '' : withUnit(value, parameter), limit: limit === null ? '' : `${text(alert.evidence.direction) === '<' ? '≥ ' : ''}${withUnit(limit, parameter)}` };
}

function alertRows(alerts: readonly ConsoleAlert[], lang: 'zh' | 'en'): SafeHtml {
  return html`<div class="table-wrap"><table class="data alerts">
<thead><tr><th scope="col">${t(lang, 'alerts.col.id')}</th><th scope="col">${t(lang, 'alerts.col.severity')}</th><th scope="col">${t(lang, 'alerts.col.state')}</th><th scope="col">${t(lang, 'alerts.col.site')}</th><th scope="col">${t(lang, 'alerts.col.parameter')}</th><th scope="col" class="num">${t(lang, 'alerts.col.value')}</th><th scope="col" class="num">${t(lang, 'alerts.col.limit')}</th><th scope="col">${t(lang, 'alerts.col.since')}</th><th scope="col">${t(lang, 'alerts.col.summary')}</th></tr></thead>
<tbody>
${alerts.map((a) => {
  const { value, limit } = valueAndLimit(a);
  return html`<tr class="alert-row ${a.displayState}">
<td><a href="/alerts/${a.id}">${a.id}</a></td><td>${severityMark(a, lang)}</td><td>${stateMark(a, lang)}</td>
<td>${a.origin ? html`<span class="origin-mark">${originLabels[a.origin][lang]}</span> ` : ''}${subjectOf(a, lang)}</td>
<td>${a.parameter ? parameterLabel(a.parameter, lang === 'en' ? 'en' : 'zh-CN').name : ''}</td><td class="num">${value}</td><td class="num">${limit}</td>
<td>${when(lang, a.firstSeenAt)}</td><td><a href="/alerts/${a.id}">${alertHeadline(a, lang)}</a></td></tr>`;
})}
</tbody>
</table></div>`;
}

export function renderAlertsPage(request: FastifyRequest, list: { open: readonly ConsoleAlert[]; recent: readonly ConsoleAlert[] }, failingSources: readonly string[]): string {
  const lang = request.lang;
  // No alerts while a source is failing is not "all clear": the data the rules would judge may be missing.
  const warning = failingSources.length > 0 ? html`<p class="flash error" role="alert">${fill(t(lang, 'alerts.sourcesFailing'), { sources: failingSources.join(', ') })}</p>` : '';
  const body = html`${warning}
<section class="alerts-open">
<h2>${t(lang, 'alerts.open')} (${list.open.length})</h2>
${list.open.length === 0 ? html`<p class="empty">${t(lang, 'alerts.noneOpen')}</p>` : alertRows(list.open, lang)}
</section>
<section class="alerts-recent">
<h2>${t(lang, 'alerts.recent')}</h2>
${list.recent.length === 0 ? html`<p class="empty">${t(lang, 'alerts.noneRecent')}</p>` : alertRows(list.recent, lang)}
</section>
<p class="note">${t(lang, 'time.beijing')}</p>`;
  return renderPage(request, { title: t(lang, 'alerts.title'), active: 'alerts', body });
}
