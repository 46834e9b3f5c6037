/**
 * 总览: the counts a duty officer looks at first (sites exceeding, late, silent, demo), then every air station with
 * its latest hourly AQI in the HJ 633 category colour, and every water section with its class against its target.
 * Filters are plain links and a GET form, so the page works without scripts.
 */
import { html, type SafeHtml } from '../html.ts';
import { t, type Lang } from '../i18n.ts';
import { categoryOf } from '../../standards/aqi.ts';
import type { AirSiteNow, Freshness, Overview, SourceHealth, WaterSiteNow } from '../../queries/overview-query.ts';
import { formatAge, kindLabel, originBadge, parameterLabel, siteName, waterClassLabel } from './page-format.ts';
import { formatBeijing } from '../../lib/time.ts';

export function renderOverview(o: Overview, lang: Lang): SafeHtml {
  if (o.totalSites === 0) return html`<p class="notice warn">${t(lang, 'overview.no_sites')}</p>`;
  return html`
${counts(o, lang)}
${filterForm(o, lang)}
${sourceStrip(o.sources, o.now, lang)}
${o.counts.sites === 0 ? html`<p class="notice">${t(lang, 'overview.empty')}</p>` : ''}
${o.air.length > 0 ? airTable(o.air, lang) : ''}
${o.water.length > 0 ? waterTable(o.water, lang) : ''}
${o.other.length > 0 ? otherTable(o, lang) : ''}
${o.air.length > 0 ? legend(lang) : ''}`;
}

function counts(o: Overview, lang: Lang): SafeHtml {
  const c = o.counts;
  // Exceeding, late and silent sites are faults (red); sites of demonstration data are a caution (the demo badge's
  // colour), not a fault.
  const tile = (key: 'overview.sites' | 'overview.exceeding' | 'overview.late' | 'overview.silent' | 'overview.demo', n: number, mark: 'alarm' | 'demo' | null) =>
    html`<div class="tile${mark && n > 0 ? ` ${mark}` : ''}" data-count="${key.slice(9)}"><span class="n">${n}</span><span class="label">${t(lang, key)}</span></div>`;
  return html`<section class="tiles" aria-label="${t(lang, 'overview.title')}">
${tile('overview.sites', c.sites, null)}${tile('overview.exceeding', c.exceeding, 'alarm')}${tile('overview.late', c.late, 'alarm')}${tile('overview.silent', c.silent, 'alarm')}${tile('overview.demo', c.demo, 'demo')}
</section>
<p class="asof">${t(lang, 'targets.as_of')} ${formatBeijing(o.now)}</p>`;
}

function filterForm(o: Overview, lang: Lang): SafeHtml {
  const option = (value: string, label: string, selected: boolean) => html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/">
<input type="hidden" name="lang" value="${lang}">
<label>${t(lang, 'common.area')} <select name="area">${option('', t(lang, 'common.all'), o.filter.area === null)}${o.areas.map((a) => option(a, a, a === o.filter.area))}</select></label>
<label>${t(lang, 'common.kind')} <select name="kind">${option('', t(lang, 'common.all'), o.filter.kind === null)}${o.kinds.map((k) => option(k, kindLabel(k, lang), k === o.filter.kind))}</select></label>
<button type="submit">${t(lang, 'common.filter')}</button>
</form>`;
}

function sourceStrip(sources: readonly SourceHealth[], now: Date, lang: Lang): SafeHtml | '' {
  const troubled = sources.filter((s) => s.enabled && (s.silent || s.consecutiveFailures > 0));
  if (troubled.length === 0) return '';
  return html`<section class="sources"><h2>${t(lang, 'overview.sources')}</h2><ul>
${troubled.map(
  (s) => html`<li class="${s.silent ? 'silent' : 'late'}"><strong>${s.name}</strong> <code>${s.id}</code> ${originBadge(s.origin, lang)}
  ${s.silent ? html`<span class="badge silent">${t(lang, 'overview.silent')}</span>` : ''}
  ${s.consecutiveFailures > 0 ? html`<span class="badge late">${t(lang, 'overview.source_failing')} ${s.consecutiveFailures}</span>` : ''}
  <span class="muted">${t(lang, 'overview.last_success')}: ${s.lastSuccessAt ? html`${formatBeijing(s.lastSuccessAt)} (${formatAge(now.getTime() - s.lastSuccessAt.getTime(), lang)})` : t(lang, 'overview.never')}</span></li>`,
)}
</ul></section>`;
}

/** The freshness cell: on time quietly, late and silent loudly, with how late. */
export function freshnessCell(f: Freshness, lang: Lang): SafeHtml {
  switch (f.state) {
    case 'on_time':
      return html`<td class="fresh on-time">${t(lang, 'overview.on_time')}</td>`;
    case 'late':
      return html`<td class="fresh late"><span class="badge late">${t(lang, 'overview.late_by')} ${formatAge(f.ageMs, lang)}</span></td>`;
    case 'silent':
      return html`<td class="fresh silent"><span class="badge silent">${t(lang, 'overview.silent_since')} ${f.ageMs === null ? t(lang, 'overview.never') : formatAge(f.ageMs, lang)}</span></td>`;
    case 'never':
      return html`<td class="fresh silent"><span class="badge silent">${t(lang, 'overview.never')}</span></td>`;
  }
}

function siteCell(s: { code: string; nameZh: string; nameEn: string; origin: AirSiteNow['origin'] }, lang: Lang): SafeHtml {
  return html`<td class="site"><a href="/sites/${encodeURIComponent(s.code)}${lang === 'en' ? '?lang=en' : ''}">${siteName(s, lang)}</a> <span class="code">${s.code}</span> ${originBadge(s.origin, lang)}</td>`;
}

/** The AQI cell in its HJ 633 Table 2 colour (class aqi-1 … aqi-6), with the category's name. */
export function aqiCell(a: Pick<AirSiteNow, 'aqi' | 'category'>, lang: Lang): SafeHtml {
  if (a.aqi === null || a.category === null) return html`<td class="aqi none">—</td>`;
  return html`<td class="aqi aqi-${a.category.level}"><span class="v">${a.aqi}</span> <span class="cat">${lang === 'en' ? a.category.nameEn : a.category.nameZh}</span></td>`;
}

function airTable(rows: readonly AirSiteNow[], lang: Lang): SafeHtml {
  return html`<section><h2>${t(lang, 'overview.air')}</h2>
<div class="table-wrap"><table class="data overview-air">
<thead><tr><th>${t(lang, 'common.site')}</th><th>${t(lang, 'common.area')}</th><th>${t(lang, 'overview.aqi')}</th><th>${t(lang, 'overview.primary')}</th><th class="num">${t(lang, 'overview.pm25_24h')}<br><small>μg/m³</small></th><th>${t(lang, 'overview.hour')}</th><th>${t(lang, 'overview.freshness')}</th></tr></thead>
<tbody>
${rows.map(
  (a) => html`<tr data-site="${a.code}" class="${rowClass(a)}">${siteCell(a, lang)}<td>${a.area}</td>${aqiCell(a, lang)}<td>${a.primaryPollutants.length > 0 ? a.primaryPollutants.map((p) => parameterLabel(p, lang)).join(', ') : '—'}</td><td class="num">${a.pm25Mean24h ?? '—'}</td><td class="time">${a.hour ? formatBeijing(a.hour) : '—'}${a.standard ? html`<br><small class="muted">${a.standard}</small>` : ''}</td>${freshnessCell(a.freshness, lang)}</tr>`,
)}
</tbody></table></div></section>`;
}

function rowClass(s: { freshness: Freshness; exceeding: boolean }): string {
  return [s.exceeding ? 'exceeding' : '', s.freshness.state === 'on_time' ? '' : `row-${s.freshness.state}`].filter(Boolean).join(' ');
}

/** The class cell: Ⅳ类 against a Ⅲ类 target reads 未达标 in red; the worst parameters are named. */
export function waterClassCells(w: Pick<WaterSiteNow, 'cls' | 'targetClass' | 'meets' | 'worst'>, lang: Lang): SafeHtml {
  const cls = w.cls === null ? html`<td class="wclass none">—</td>` : html`<td class="wclass wclass-${w.cls === '劣V' ? 'VI' : w.cls}">${waterClassLabel(w.cls, lang)}${w.worst.length > 0 && w.cls !== 'I' && w.cls !== 'II' ? html`<br><small>${w.worst.map((x) => parameterLabel(x.parameter, lang)).join(', ')}</small>` : ''}</td>`;
  const target = w.targetClass === null ? html`<td class="muted target">${t(lang, 'overview.no_target')}</td>` : html`<td class="target">${waterClassLabel(w.targetClass, lang)}</td>`;
  const verdict =
    w.meets === null ? html`<td class="muted">—</td>` : w.meets ? html`<td class="verdict meets">${t(lang, 'overview.meets')}</td>` : html`<td class="verdict fails"><span class="badge fail">${t(lang, 'overview.not_meets')}</span></td>`;
  return html`${cls}${target}${verdict}`;
}

function waterTable(rows: readonly WaterSiteNow[], lang: Lang): SafeHtml {
  return html`<section><h2>${t(lang, 'overview.water')}</h2>
<div class="table-wrap"><table class="data overview-water">
<thead><tr><th>${t(lang, 'common.site')}</th><th>${t(lang, 'common.area')}</th><th>${t(lang, 'overview.class_latest')}</th><th>${t(lang, 'overview.target')}</th><th>${t(lang, 'overview.meets_latest')}</th><th>${t(lang, 'overview.hour')}</th><th>${t(lang, 'overview.freshness')}</th></tr></thead>
<tbody>
${rows.map((w) => html`<tr data-site="${w.code}" class="${rowClass(w)}">${siteCell(w, lang)}<td>${w.area}</td>${waterClassCells(w, lang)}<td class="time">${w.at ? formatBeijing(w.at) : '—'}</td>${freshnessCell(w.freshness, lang)}</tr>`)}
</tbody></table></div>
<p class="note muted">${t(lang, 'overview.water_basis')}</p></section>`;
}

function otherTable(o: Overview, lang: Lang): SafeHtml {
  return html`<section><h2>${t(lang, 'common.site')}</h2>
<div class="table-wrap"><table class="data">
<thead><tr><th>${t(lang, 'common.site')}</th><th>${t(lang, 'common.area')}</th><th>${t(lang, 'common.kind')}</th><th>${t(lang, 'overview.hour')}</th><th>${t(lang, 'overview.freshness')}</th></tr></thead>
<tbody>${o.other.map((s) => html`<tr data-site="${s.code}">${siteCell(s, lang)}<td>${s.area}</td><td>${kindLabel(s.kind, lang)}</td><td class="time">${s.freshness.latest ? formatBeijing(s.freshness.latest) : '—'}</td>${freshnessCell(s.freshness, lang)}</tr>`)}</tbody>
</table></div></section>`;
}

/** The six categories of HJ 633 Table 2, from the standards module, with their AQI ranges. */
function legend(lang: Lang): SafeHtml {
  const ranges = [[0, 50], [51, 100], [101, 150], [151, 200], [201, 300], [301, null]] as const;
  return html`<section class="legend"><h2>${t(lang, 'overview.legend')}</h2><ul>
${ranges.map(([lo, hi]) => {
  const c = categoryOf(lo);
  return html`<li class="aqi-${c.level}">${lang === 'en' ? c.nameEn : c.nameZh} <small>${hi === null ? `> ${lo - 1}` : `${lo}–${hi}`}</small></li>`;
})}
</ul></section>`;
}
