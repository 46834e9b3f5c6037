/** 总览 / 站点 / 目标 / 报告, and the static assets they use. Every page is behind `guards.read`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleGuards } from '../console-user.ts';
import type { WebDeps } from '../web-deps.ts';
import { html, type SafeHtml } from '../html.ts';
import { t } from '../i18n.ts';
import { renderPage, type NavItem } from '../layout.ts';
import { listPeriodReports, periodReportExists } from '../../db/repositories/period-reports.repository.ts';
import { siteListByArea } from '../../db/repositories/site-info.repository.ts';
import { QueryError } from '../../lib/query-error.ts';
import { overviewQuery } from '../../queries/overview-query.ts';
import { sitePageQuery } from '../../queries/site-query.ts';
import { targetsDate, targetsQuery } from '../../evaluate/target-standings.ts';
import { noTargetInForceNote } from '../../standards/plan-period.ts';
import { buildDailyReport, reportDateProblem } from '../../reports/daily-report.ts';
import { dailyReportChart, renderDailyReport } from '../../reports/daily-report-render.ts';
import { buildPeriodReport, periodName } from '../../reports/period-report.ts';
import { renderPeriodReportHtml } from '../../reports/period-report-render.ts';
import { periodReportXlsx } from '../../reports/period-report-xlsx.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../../lib/time.ts';
import { renderOverview } from './overview-page.ts';
import { renderSitePage, renderUnknownSite, siteTitle } from './site-page.ts';
import { siteCsv } from './site-csv.ts';
import { renderSiteList } from './sites-page.ts';
import { renderTargets } from './targets-page.ts';
import { isDate, renderPeriodReportPage, renderReports, reportBody, type DailyState } from './reports-page.ts';
import { registerConsoleAssets } from './static-assets.ts';

type Query = Record<string, string | undefined>;

function send(request: FastifyRequest, reply: FastifyReply, code: number, title: string, active: NavItem | undefined, body: SafeHtml, scripts?: string[]): FastifyReply {
  return reply
    .code(code)
    .type('text/html; charset=utf-8')
    .send(renderPage(request, { title, body, ...(active ? { active } : {}), ...(scripts ? { scripts } : {}) }));
}

function badRequest(request: FastifyRequest, reply: FastifyReply, active: NavItem, error: QueryError): FastifyReply {
  return send(request, reply, 400, t(request.lang, 'error.bad_request'), active, html`<p class="notice error" data-state="bad-request">${error.message}</p>`);
}

const beijingToday = (now: Date) => new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

export async function registerReadPages(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  registerConsoleAssets(app);
  const read = { preHandler: guards.read };

  app.get('/', read, async (request, reply) => {
    const q = request.query as Query;
    const overview = await overviewQuery(deps.db, deps.config, deps.parameterIds, { area: q.area, kind: q.kind }, deps.now());
    return send(request, reply, 200, t(request.lang, 'overview.title'), 'overview', renderOverview(overview, request.lang));
  });

  app.get('/sites', read, async (request, reply) => {
    const sites = await siteListByArea(deps.db);
    return send(request, reply, 200, t(request.lang, 'site.list'), 'sites', renderSiteList(sites, request.lang));
  });

  app.get<{ Params: { id: string } }>('/sites/:id', read, async (request, reply) => {
    const q = request.query as Query;
    try {
      const result = await sitePageQuery(deps.db, deps.config, request.params.id, { from: q.from, to: q.to }, deps.now());
      if (!result.found) return send(request, reply, 404, t(request.lang, 'site.not_found'), 'sites', renderUnknownSite(result.code, result.known, result.near, request.lang));
      return send(request, reply, 200, siteTitle(result.page, request.lang), 'sites', renderSitePage(result.page, request.lang), ['echarts.min.js', 'site-chart.js']);
    } catch (error) {
      if (error instanceof QueryError) return badRequest(request, reply, 'sites', error);
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/sites/:id/data.csv', read, async (request, reply) => {
    const q = request.query as Query;
    try {
      const result = await sitePageQuery(deps.db, deps.config, request.params.id, { from: q.from, to: q.to }, deps.now());
      if (!result.found) return reply.code(404).type('text/plain; charset=utf-8').send(`site ${JSON.stringify(result.code)}: no such site. Known sites: ${result.known.join(', ') || 'none'}\n`);
      const name = `${result.page.site.code}_${result.page.fromText}_${result.page.toText}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(siteCsv(result.page));
    } catch (error) {
      if (error instanceof QueryError) return reply.code(400).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      throw error;
    }
  });

  app.get('/targets', read, async (request, reply) => {
    const q = request.query as Query;
    const now = deps.now();
    try {
      const asOfText = q.asOf?.trim() || undefined;
      const { year, asOf } = targetsDate({ asOf: asOfText }, now);
      const rows = await targetsQuery(deps.db, deps.config.targets, deps.parameterIds, { asOf }, now);
      const clauses = new Map(deps.config.targets.flatMap((target) => (target.clause ? [[target.id, target.clause] as const] : [])));
      const body = renderTargets({ rows, year, asOf, noneInForce: noTargetInForceNote(deps.config.targets, asOf), clauses }, request.lang);
      return send(request, reply, 200, t(request.lang, 'targets.title'), 'targets', body);
    } catch (error) {
      if (error instanceof QueryError) return badRequest(request, reply, 'targets', error);
      throw error;
    }
  });

  app.get('/reports', read, async (request, reply) => {
    const q = request.query as Query;
    const now = deps.now();
    const yesterday = beijingToday(new Date(now.getTime() - DAY_MS));
    const periods = await listPeriodReports(deps.db);
    const daily = await dailyState(deps, q.date?.trim(), now);
    const body = renderReports(daily, yesterday, periods.map((p) => ({ kind: p.kind, period: p.period, createdAt: p.created_at })), request.lang);
    const code = daily.state === 'bad_date' ? 400 : 200;
    return send(request, reply, code, t(request.lang, 'reports.title'), 'reports', body);
  });

  app.get<{ Params: { date: string } }>('/reports/daily/:date', read, async (request, reply) => {
    const q = request.query as Query;
    const state = await dailyState(deps, request.params.date, deps.now());
    if (state.state !== 'ready') {
      const body = renderReports(state, request.params.date, [], request.lang);
      return send(request, reply, state.state === 'bad_date' ? 400 : 404, t(request.lang, 'reports.daily'), 'reports', body);
    }
    return reportDocument(reply, state.document, q.download === 'html' ? `daily-report-${state.date}.html` : null);
  });

  app.get<{ Params: { kind: string; period: string } }>('/reports/:kind/:period', read, async (request, reply) => {
    const q = request.query as Query;
    const kind = request.params.kind;
    const xlsx = request.params.period.endsWith('.xlsx');
    const period = xlsx ? request.params.period.slice(0, -5) : request.params.period;
    if (kind !== 'monthly' && kind !== 'annual') return send(request, reply, 404, t(request.lang, 'error.not_found'), 'reports', html`<p class="notice error">${t(request.lang, 'reports.not_found')}</p>`);
    if (!(await periodReportExists(deps.db, kind, period))) return send(request, reply, 404, t(request.lang, 'error.not_found'), 'reports', html`<p class="notice error" data-state="no-report">${t(request.lang, 'reports.not_found')} <code>${kind} ${period}</code></p>`);
    const report = await buildPeriodReport(deps.db, deps.config, deps.parameterIds, kind, period, deps.now());
    if (xlsx) {
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${kind}-report-${period}.xlsx"`)
        .send(await periodReportXlsx(report));
    }
    const document = renderPeriodReportHtml(report, { inline: 'svg' });
    if (q.download === 'html') return reportDocument(reply, document, `${kind}-report-${period}.html`);
    // The report's body keeps the inline styles it is mailed with: allowed on this page only, scripts stay 'self'.
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy === 'string') void reply.header('content-security-policy', policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
    return send(request, reply, 200, periodName(kind, period), 'reports', renderPeriodReportPage(kind, period, reportBody(document), request.lang));
  });
}

/** The daily summary for a date, or why there is none: a bad date, a day not yet begun, a day without any data. */
async function dailyState(deps: WebDeps, text: string | undefined, now: Date): Promise<DailyState> {
  if (text === undefined || text === '') return { state: 'none' };
  if (!isDate(text)) return { state: 'bad_date', text };
  const problem = reportDateProblem(text, now);
  if (problem) return { state: 'future', date: text, problem };
  const report = await buildDailyReport(deps.db, deps.config, deps.parameterIds, text, now);
  if (!report.air.some((a) => a.hasData) && !report.water.some((w) => w.hasData)) return { state: 'no_data', date: text };
  return { state: 'ready', date: text, complete: report.complete, document: dailyDocument(report, deps) };
}

function dailyDocument(report: Awaited<ReturnType<typeof buildDailyReport>>, deps: WebDeps): string {
  const png = dailyReportChart(report, deps.log);
  return renderDailyReport(report, png ? `data:image/png;base64,${png.toString('base64')}` : null).html;
}

/** A report as its own document: no scripts at all, its own inline styles allowed; an attachment when downloaded. */
function reportDocument(reply: FastifyReply, document: string, download: string | null): FastifyReply {
  reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  if (download) reply.header('content-disposition', `attachment; filename="${download}"`);
  return reply.send(document);
}

