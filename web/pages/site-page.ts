/**
 * 站点: one site's charts (drawn in the browser by /assets/site-chart.js from the JSON the page carries), its daily
 * values and daily AQI (air) or its samples with their class (water), the range form and the CSV download.
 */
import { html, SafeHtml } from '../html.ts';
import { t, type Lang } from '../i18n.ts';
import { beijingIso } from '../../queries/air-queries.ts';
import type { SitePage } from '../../queries/site-query.ts';
import { pollutants } from '../../standards/aqi.ts';
import { aqiCell } from './overview-page.ts';
import { kindLabel, originBadge, parameterLabel, siteName, waterBodyLabel, waterClassLabel } from './page-format.ts';
import { formatBeijing } from '../../lib/time.ts';
import { fill } from './page-parts.ts';

/** JSON inside <script type="application/json">: `<` escaped so no value can close the element. */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const json = JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return new SafeHtml(`<script type="application/json" id="${id}">${json}</script>`);
}

function query(page: SitePage, lang: Lang): string {
  const q = new URLSearchParams({ from: page.fromText, to: page.toText });
  if (lang === 'en') q.set('lang', 'en');
  return q.toString();
}

export function renderSitePage(page: SitePage, lang: Lang): SafeHtml {
  const s = page.site;
  const data = {
    lang,
    from: page.range.firstHour - 3_600_000,
    to: page.range.lastHour,
    labels: { hourly: t(lang, 'site.hourly'), mean24: t(lang, 'site.mean24'), mean8: t(lang, 'site.mean8') },
    series: page.series,
  };
  const code = encodeURIComponent(s.code);
  return html`
<ul class="facts">
  <li>${t(lang, 'common.code')} <strong>${s.code}</strong></li>
  <li>${t(lang, 'common.area')} <strong>${s.area}</strong></li>
  <li>${t(lang, 'common.kind')} <strong>${kindLabel(s.kind, lang)}</strong></li>
  ${s.waterBody ? html`<li>${t(lang, 'site.water_body')} <strong>${waterBodyLabel(s.waterBody, lang)}</strong></li>` : ''}
  ${page.targetClass ? html`<li>${t(lang, 'overview.target')} <strong>${waterClassLabel(page.targetClass, lang)}</strong></li>` : ''}
  ${page.origin ? html`<li>${originBadge(page.origin, lang)}</li>` : ''}
</ul>
<form class="filters" method="get" action="/sites/${code}">
  ${lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
  <label>${t(lang, 'site.from')} <input type="date" name="from" value="${page.fromText}"></label>
  <label>${t(lang, 'site.to')} <input type="date" name="to" value="${page.toText}"></label>
  <button type="submit">${t(lang, 'site.show')}</button>
  <a class="button" href="/sites/${code}/data.csv?${query(page, lang)}" download>${t(lang, 'site.csv')}</a>
</form>
<p class="asof">${formatBeijing(new Date(page.range.firstHour))} – ${formatBeijing(new Date(page.range.lastHour))}</p>
${page.series.every((x) => x.hourly.length === 0) ? html`<p class="notice warn">${t(lang, 'site.no_values')}</p>` : ''}
<section class="charts">
${page.series.map(
  (x, i) => html`<figure><figcaption>${parameterLabel(x.parameter, lang)} <small class="muted">${x.unit}</small></figcaption><div class="chart" id="chart-${i}" data-parameter="${x.parameter}" data-points="${x.hourly.length}" role="img" aria-label="${parameterLabel(x.parameter, lang)}"></div>
${x.lines.length > 0 ? html`<ul class="facts">${x.lines.map((l) => html`<li class="line-${l.kind}">${l.label}</li>`)}</ul>` : ''}</figure>`,
)}
</section>
${jsonScript('site-data', data)}
${page.days.length > 0 ? dayTable(page, lang) : ''}
${page.samples.length > 0 ? sampleTable(page, lang) : ''}`;
}

function dayTable(page: SitePage, lang: Lang): SafeHtml {
  const columns = [...pollutants.filter((p) => p !== 'o3'), 'o3_8h'] as const;
  return html`<section><h2>${t(lang, 'site.daily')}</h2><div class="table-wrap"><table class="data site-days">
<thead><tr><th>${t(lang, 'site.day')}</th><th>${t(lang, 'site.daily_aqi')}</th><th>${t(lang, 'overview.primary')}</th>${columns.map((c) => html`<th class="num">${parameterLabel(c, lang)}</th>`)}</tr></thead>
<tbody>${page.days.map(
    (d) => html`<tr data-day="${d.day}"${d.until === undefined ? '' : html` class="incomplete"`}><td class="time">${d.day}${d.until === undefined ? '' : html`<br><small class="muted">${fill(t(lang, 'site.day_until'), { time: formatBeijing(new Date(d.until)).slice(11) })}</small>`}</td>${aqiCell({ aqi: d.aqi?.aqi ?? null, category: d.aqi?.category ?? null }, lang)}<td>${d.aqi && d.aqi.primaryPollutants.length > 0 ? d.aqi.primaryPollutants.map((p) => parameterLabel(p, lang)).join(', ') : '—'}</td>${columns.map((c) => html`<td class="num">${d.values[c] ?? '—'}</td>`)}</tr>`,
  )}</tbody></table></div></section>`;
}

function sampleTable(page: SitePage, lang: Lang): SafeHtml {
  const parameters = page.series.map((x) => x.parameter);
  return html`<section><h2>${t(lang, 'overview.class')}</h2><div class="table-wrap"><table class="data site-samples">
<thead><tr><th>${t(lang, 'common.time')}</th><th>${t(lang, 'overview.class')}</th>${parameters.map((p) => html`<th class="num">${parameterLabel(p, lang)}</th>`)}</tr></thead>
<tbody>${page.samples.slice(0, 60).map(
    (x) => html`<tr><td class="time" data-time="${beijingIso(new Date(x.at))}">${formatBeijing(new Date(x.at))}</td>${x.cls ? html`<td class="wclass wclass-${x.cls === '劣V' ? 'VI' : x.cls}">${waterClassLabel(x.cls, lang)}</td>` : html`<td>—</td>`}${parameters.map((p) => html`<td class="num">${x.values[p] ?? '—'}</td>`)}</tr>`,
  )}</tbody></table></div></section>`;
}

/** 404: the site does not exist; the known ones are listed, the near misses first. */
export function renderUnknownSite(code: string, known: readonly string[], near: readonly string[], lang: Lang): SafeHtml {
  return html`<p class="notice error">${t(lang, 'site.not_found')}: <code>${code}</code></p>
${near.length > 0 ? html`<p>${t(lang, 'site.did_you_mean')} ${near.map((n, i) => html`${i > 0 ? ' / ' : ''}<a href="/sites/${encodeURIComponent(n)}">${n}</a>`)}?</p>` : ''}
<h2>${t(lang, 'site.known')} (${known.length})</h2>
<p class="known-sites">${known.length === 0 ? '—' : known.slice(0, 500).map((k, i) => html`${i > 0 ? ', ' : ''}<a href="/sites/${encodeURIComponent(k)}">${k}</a>`)}${known.length > 500 ? ` … (+${known.length - 500})` : ''}</p>`;
}

export function siteTitle(page: SitePage, lang: Lang): string {
  return `${siteName(page.site, lang)}`;
}
