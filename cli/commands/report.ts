import { writeFile } from 'node:fs/promises';
import { reportDateFor } from '../../jobs/daily-summary.ts';
import { buildDailyReport } from '../../reports/daily-report.ts';
import { dailyReportChart, renderDailyReport } from '../../reports/daily-report-render.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const reportDailyCommand: Command = {
  path: ['report', 'daily'],
  summary: 'the daily summary of a natural day (default yesterday, Beijing time): text, --json, or --html FILE (chart embedded)',
  usage: 'envmon report daily [--date YYYY-MM-DD] [--json | --html FILE]',
  options: { date: { type: 'string' }, json: { type: 'boolean', default: false }, html: { type: 'string' } },
  run: async ({ values }, context) => {
    const date = typeof values.date === 'string' ? values.date : reportDateFor(new Date());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new UsageError('--date must be a date YYYY-MM-DD');
    if (values.json === true && typeof values.html === 'string') throw new UsageError('give --json or --html, not both');
    return withDatabase(context, async ({ db, storeDeps }) => {
      const report = await buildDailyReport(db, context.config, storeDeps.parameterIds, date, new Date());
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
