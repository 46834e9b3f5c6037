import { writeFile } from 'node:fs/promises';
import { reportDateFor } from '../../jobs/daily-summary.ts';
import { previousMonth, previousYear } from '../../jobs/period-report.ts';
import { buildPeriodReport, periodBounds, periodName, type PeriodKind } from '../../reports/period-report.ts';
import { renderPeriodReportHtml, renderPeriodReportText } from '../../reports/period-report-render.ts';
import { periodReportXlsx } from '../../reports/period-report-xlsx.ts';
import { buildDailyReport, reportDateProblem } from '../../reports/daily-report.ts';
import { dailyReportChart, renderDailyReport } from '../../reports/daily-report-render.ts';
import { parseTimeInput } from '../../lib/time-input.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const reportDailyCommand: Command = {
  path: ['report', 'daily'],
  summary: 'the daily summary of a natural day (default yesterday, Beijing time): text, --json, or --html FILE (chart embedded)',
  usage: 'envmon report daily [--date YYYY-MM-DD] [--json | --html FILE]',
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the natural day (Beijing time) to report; default yesterday. A day that has not begun is refused; today is reported as incomplete, up to now' },
    json: { type: 'boolean', default: false, description: 'print the report as JSON' },
    html: { type: 'string', value: 'FILE', description: 'write the report as a standalone HTML file, chart embedded' },
  },
  examples: ['envmon report daily', 'envmon report daily --date 2026-11-30 --html summary.html'],
  run: async ({ values }, context) => {
    const date = typeof values.date === 'string' ? values.date : reportDateFor(new Date());
    const parsed = parseTimeInput(date);
    if ('error' in parsed) throw new UsageError(`--date ${JSON.stringify(date)}: ${parsed.error}`);
    if (parsed.date === null) throw new UsageError(`--date ${JSON.stringify(date)}: a date YYYY-MM-DD, without a time`);
    if (values.json === true && typeof values.html === 'string') throw new UsageError('give --json or --html, not both');
    // A day that has not begun has no data: refused, rather than an empty report that reads as a quiet day.
    const now = new Date();
    const problem = reportDateProblem(date, now);
    if (problem) throw new UsageError(`--date ${JSON.stringify(date)}: ${problem}`);
    return withDatabase(context, async ({ db, storeDeps }) => {
      const report = await buildDailyReport(db, context.config, storeDeps.parameterIds, date, now);
      if (values.json === true) {
        context.out(JSON.stringify(report, null, 2));
        return 0;
      }
      const chart = dailyReportChart(report);
      // A file opened in a browser cannot resolve cid: references; the chart goes in as a data: URI.
      const rendered = renderDailyReport(report, chart ? `data:image/png;base64,${chart.toString('base64')}` : null);
      if (typeof values.html === 'string') {
        await writeFile(values.html, rendered.html);
        context.out(`wrote ${values.html}`);
      } else context.out(`${rendered.subject}\n\n${rendered.text}`);
      return 0;
    });
  },
};

/** `report monthly` / `report annual`: the same report the scheduled mail carries, as text, JSON, HTML or Excel. */
function periodReportCommand(kind: PeriodKind): Command {
  const flag = kind === 'monthly' ? 'month' : 'year';
  const shape = kind === 'monthly' ? 'YYYY-MM' : 'YYYY';
  const noun = kind === 'monthly' ? 'monthly report (月报)' : 'annual report (年报)';
  return {
    path: ['report', kind],
    summary: `the ${noun} of a ${flag} (default the last one ended, Beijing time): text, --json, --html FILE (charts inline) or --xlsx FILE`,
    usage: `envmon report ${kind} [--${flag} ${shape}] [--json | --html FILE | --xlsx FILE]`,
    options: {
      [flag]: { type: 'string', value: shape, description: `the ${flag} to report; default the last one ended. One that has not begun is refused; one still running is reported as unfinished, up to now` },
      json: { type: 'boolean', default: false, description: 'print the report as JSON' },
      html: { type: 'string', value: 'FILE', description: 'write the report as a standalone HTML file, charts inline (SVG)' },
      xlsx: { type: 'string', value: 'FILE', description: 'write the report as an Excel workbook, one sheet per table' },
    },
    examples: kind === 'monthly' ? ['envmon report monthly --month 2026-11', 'envmon report monthly --month 2026-11 --xlsx 2026-11.xlsx'] : ['envmon report annual --year 2025 --html 2025.html'],
    run: async ({ values }, context) => {
      const now = new Date();
      const given = values[flag];
      const period = typeof given === 'string' ? given : kind === 'monthly' ? previousMonth(now) : previousYear(now);
      const outputs = [values.json === true, typeof values.html === 'string', typeof values.xlsx === 'string'].filter(Boolean).length;
      if (outputs > 1) throw new UsageError('give one of --json, --html and --xlsx');
      let bounds;
      try {
        bounds = periodBounds(kind, period);
      } catch (error) {
        throw new UsageError(`--${error instanceof Error ? error.message : String(error)}`);
      }
      // A period that has not begun has no data: refused, rather than an empty report that reads as a clean one.
      if (now.getTime() <= bounds.start.getTime()) throw new UsageError(`--${flag} ${JSON.stringify(period)}: ${periodName(kind, period)} has not begun`);
      return withDatabase(context, async ({ db, storeDeps }) => {
        const report = await buildPeriodReport(db, context.config, storeDeps.parameterIds, kind, period, now);
        if (values.json === true) context.out(JSON.stringify(report, null, 2));
        else if (typeof values.html === 'string') {
          await writeFile(values.html, renderPeriodReportHtml(report, { inline: 'svg' }));
          context.out(`wrote ${values.html}`);
        } else if (typeof values.xlsx === 'string') {
          await writeFile(values.xlsx, await periodReportXlsx(report));
          context.out(`wrote ${values.xlsx}`);
        } else context.out(renderPeriodReportText(report));
        return 0;
      });
    },
  };
}

export const reportMonthlyCommand = periodReportCommand('monthly');
export const reportAnnualCommand = periodReportCommand('annual');
