/** 站点列表: every site by area, linking to its page. */
import { html, type SafeHtml } from '../html.ts';
import { t, type Lang } from '../i18n.ts';
import { kindLabel, waterBodyLabel } from './page-format.ts';

export interface SiteListRow {
  code: string;
  name_zh: string;
  name_en: string;
  kind: string;
  area: string;
  water_body: string | null;
}

export function renderSiteList(sites: readonly SiteListRow[], lang: Lang): SafeHtml {
  if (sites.length === 0) return html`<p class="notice warn">${t(lang, 'overview.no_sites')}</p>`;
  return html`<div class="table-wrap"><table class="data site-list">
<thead><tr><th>${t(lang, 'common.code')}</th><th>${t(lang, 'common.site')}</th><th>${t(lang, 'common.area')}</th><th>${t(lang, 'common.kind')}</th><th>${t(lang, 'site.water_body')}</th></tr></thead>
<tbody>${sites.map((s) => html`<tr data-site="${s.code}"><td><code>${s.code}</code></td><td><a href="/sites/${encodeURIComponent(s.code)}${lang === 'en' ? '?lang=en' : ''}">${lang === 'en' && s.name_en ? s.name_en : s.name_zh}</a></td><td>${s.area}</td><td>${kindLabel(s.kind, lang)}</td><td>${s.water_body ? waterBodyLabel(s.water_body, lang) : '—'}</td></tr>`)}</tbody>
</table></div>`;
}
