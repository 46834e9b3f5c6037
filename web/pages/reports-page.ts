/**
 * 报告: the daily summary of any date (reports/daily-report*.ts, as mailed) and the monthly and annual reports that
 * were produced (table period_report; reports/period-report*.ts), viewable in the page and downloadable (HTML,
 * and xlsx for period reports). A future date, or a date without any data, is said so — never an empty report.
 */
import { html, SafeHtml } from '../html.ts';
import { t, type Lang } from '../i18n.ts';
import { periodName, type PeriodKind } from '../../reports/period-report.ts';

export interface PeriodReportEntry {
  kind: PeriodKind;
  period: string;
  createdAt: Date;
}

/** What the reports page shows for the date asked for. */
export type DailyState =
  | { state: 'none' }
  | { state: 'bad_date'; text: string }
  | { state: 'future'; date: string; problem: string }
  | { state: 'no_data'; date: string }
  | { state: 'ready'; date: string; complete: boolean; /** The report as its own HTML document. */ document: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date (YYYY-MM-DD). */
export function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** The <body> of a report document, for showing it inside the console page (its own head and styles dropped). */
export function reportBody(document: string): SafeHtml {
  const match = /<body[^>]*>([\s\S]*)<\/body>/i.exec(document);
  // The report renderers escape everything they interpolate: their HTML is trusted as it is.
  return new SafeHtml((match?.[1] ?? document).replace(/<script[\s\S]*?<\/script>/gi, ''));
}

export function renderReports(daily: DailyState, defaultDate: string, periods: readonly PeriodReportEntry[], lang: Lang): SafeHtml {
  const shownDate = daily.state === 'none' ? defaultDate : daily.state === 'bad_date' ? daily.text : daily.date;
  const langField = lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : '';
  return html`<section><h2>${t(lang, 'reports.daily')}</h2>
<form class="filters" method="get" action="/reports">${langField}
<label>${t(lang, 'reports.date')} <input type="date" name="date" value="${shownDate}"></label>
<button type="submit">${t(lang, 'reports.open')}</button></form>
${dailySection(daily, lang)}
</section>
<section><h2>${t(lang, 'reports.periodic')}</h2>
${periods.length === 0
    ? html`<p class="notice">${t(lang, 'reports.none_periodic')}</p>`
    : html`<div class="table-wrap"><table class="data periods"><thead><tr><th>${t(lang, 'common.kind')}</th><th>${t(lang, 'reports.date')}</th><th></th></tr></thead><tbody>
${periods.map((p) => {
  const base = `/reports/${p.kind}/${encodeURIComponent(p.period)}`;
  return html`<tr data-period="${p.kind}/${p.period}"><td>${t(lang, p.kind === 'monthly' ? 'reports.monthly' : 'reports.annual')}</td><td>${periodName(p.kind, p.period)}</td><td><a href="${base}">${t(lang, 'reports.open')}</a> · <a href="${base}?download=html" download>${t(lang, 'reports.html')}</a> · <a href="${base}.xlsx" download>${t(lang, 'reports.xlsx')}</a></td></tr>`;
})}</tbody></table></div>`}
</section>`;
}

function dailySection(daily: DailyState, lang: Lang): SafeHtml | '' {
  switch (daily.state) {
    case 'none':
      return '';
    case 'bad_date':
      return html`<p class="notice error" data-state="bad-date">${t(lang, 'reports.bad_date')} <code>${daily.text}</code></p>`;
    case 'future':
      return html`<p class="notice warn" data-state="future">${daily.date}: ${t(lang, 'reports.future')}</p>`;
    case 'no_data':
      return html`<p class="notice warn" data-state="no-data">${daily.date}: ${t(lang, 'reports.no_data')}</p>`;
    case 'ready':
      return html`<p><a class="button" href="/reports/daily/${daily.date}">${t(lang, 'reports.open')}</a> <a class="button" href="/reports/daily/${daily.date}?download=html" download>${t(lang, 'reports.html')}</a></p>
<article class="report-doc" data-state="ready">${reportBody(daily.document)}</article>`;
  }
}

/** A period report in the console page, with its downloads. */
export function renderPeriodReportPage(kind: PeriodKind, period: string, body: SafeHtml, lang: Lang): SafeHtml {
  const base = `/reports/${kind}/${encodeURIComponent(period)}`;
  return html`<p><a class="button" href="${base}?download=html" download>${t(lang, 'reports.html')}</a> <a class="button" href="${base}.xlsx" download>${t(lang, 'reports.xlsx')}</a></p>
<article class="report-doc">${body}</article>`;
}
