/**
 * 目标: the plan targets as `envmon targets` reports them (evaluate/target-standings.ts) — year-to-date progress and
 * the projection of each target in force, references labelled as such, ended targets with their final result.
 * No target in force is said with its reason (standards/plan-period.ts), never shown as an empty, all-clear page.
 */
import { html, type SafeHtml } from '../html.ts';
import { t, type Lang } from '../i18n.ts';
import type { TargetRow } from '../../evaluate/target-standings.ts';
import { indicatorNames, targetRequirementText, targetValueText } from '../../standards/target-labels.ts';
import { originBadge } from './page-format.ts';

export interface TargetsView {
  rows: TargetRow[];
  asOf: string;
  year: number;
  /** Why no target is in force (null when one is). */
  noneInForce: string | null;
  /** Each target's clause in its document (configuration `clause`), by target id. */
  clauses: ReadonlyMap<string, string>;
}

/** A figure of the target's indicator as read: Ⅲ类, 55 μg/m³. */
function value(r: TargetRow, v: string | number | null | undefined, lang: Lang): string {
  return v === null || v === undefined ? '—' : targetValueText(r.indicator, v, lang === 'en' ? 'en' : 'zh-CN');
}

export function renderTargets(view: TargetsView, lang: Lang): SafeHtml {
  const form = html`<form class="filters" method="get" action="/targets">
${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<label>${t(lang, 'targets.as_of')} <input type="date" name="asOf" value="${view.asOf}"></label>
<button type="submit">${t(lang, 'site.show')}</button></form>`;
  const none = view.noneInForce === null ? '' : html`<p class="notice warn" data-state="no-target-in-force">${view.noneInForce}${lang === 'en' ? html`<br>${t(lang, 'targets.none')}` : ''}</p>`;
  if (view.rows.length === 0) {
    return html`${form}${none}<p class="notice warn" data-state="no-targets">${t(lang, 'targets.none')}</p>`;
  }
  return html`${form}${none}
<p class="asof">${t(lang, 'targets.as_of')} ${view.asOf}</p>
<div class="table-wrap"><table class="data targets">
<thead><tr><th>${t(lang, 'targets.indicator')}</th><th>${t(lang, 'targets.scope')}</th><th>${t(lang, 'targets.document')}</th><th class="num">${t(lang, 'targets.target')}</th><th class="num">${t(lang, 'targets.current')}</th><th>${t(lang, 'targets.state')}</th><th>${t(lang, 'targets.projection')}</th></tr></thead>
<tbody>${view.rows.map((r) => row(r, view.clauses.get(r.id), lang))}</tbody></table></div>`;
}

function row(r: TargetRow, clause: string | undefined, lang: Lang): SafeHtml {
  const name = indicatorNames[r.indicator];
  const scope = 'site' in r.scope ? html`<a href="/sites/${encodeURIComponent(r.scope.site)}">${r.scope.site}</a>` : html`${r.scope.area}`;
  const p = r.progress;
  const target = targetRequirementText(r, lang === 'en' ? 'en' : 'zh-CN');
  let state: SafeHtml;
  if (r.status === 'final') {
    state = html`<span class="badge">${t(lang, 'targets.final')}</span> ${r.final ? r.final.text : '—'}`;
  } else if (p === null || p.meets === null) {
    state = html`<span class="muted">${t(lang, 'targets.no_progress')}</span>`;
  } else {
    state = p.meets ? html`<span class="state-on_track">${t(lang, 'overview.meets')}</span>` : html`<span class="state-at_risk">${t(lang, 'overview.not_meets')}</span>`;
  }
  return html`<tr data-target="${r.id}" class="${r.reference ? 'reference' : ''}">
<td><strong>${lang === 'en' ? name.en : name.zh}</strong> ${originBadge(r.origin, lang)}${r.reference ? html` <span class="badge late">${t(lang, 'targets.reference')}</span>` : ''}${r.governing ? '' : html` <small class="muted">(${lang === 'en' ? 'not governing' : '非主导'})</small>`}<br><small class="muted">${r.nature === 'binding' ? '约束性' : '预期性'} · ${r.id}</small></td>
<td data-label="${t(lang, 'targets.scope')}">${scope}</td>
<td data-label="${t(lang, 'targets.document')}">${r.document}${clause ? html`<br><small>${t(lang, 'targets.clause')}: ${clause}</small>` : ''}${r.statusNote ? html`<br><small class="muted">${r.statusNote}</small>` : ''}${r.periodNote ? html`<br><small class="muted">${r.periodNote}</small>` : ''}</td>
<td class="num" data-label="${t(lang, 'targets.target')}">${target}<br><small class="muted">${r.target.year}</small></td>
<td class="num" data-label="${t(lang, 'targets.current')}">${p ? value(r, p.current, lang) : '—'}${p ? html`<br><small class="muted">${r.indicator === 'water_class' ? `${p.basis} 次` : `${p.basis} 天`}</small>` : ''}</td>
<td data-label="${t(lang, 'targets.state')}">${state}</td>
<td data-label="${t(lang, 'targets.projection')}">${p?.projection ?? '—'}</td>
</tr>`;
}
