import { writeFile } from 'node:fs/promises';
import { reportDateFor } from '../../jobs/daily-summary.ts';
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
