/**
 * The monthly / annual report as mail: the HTML body with its charts as PNG attached by Content-ID (mail clients
 * that show no SVG still show them), and the Excel workbook attached.
 */
import type { RecipientConfig } from '../config/schema.ts';
import { outboxPayload } from '../db/repositories/notification-content.repository.ts';
import { buildPeriodReport, type PeriodKind } from '../reports/period-report.ts';
import { barChartSvg, svgToPng } from '../reports/charts.ts';
import { periodReportSubject, renderPeriodReportHtml, renderPeriodReportText } from '../reports/period-report-render.ts';
import { periodReportCharts } from '../reports/period-report-tables.ts';
import { periodReportXlsx } from '../reports/period-report-xlsx.ts';
import type { NotifyDeps } from './deliver-notifications.ts';

export async function sendPeriodReport(deps: NotifyDeps, recipient: RecipientConfig, messageId: string, outboxId: number): Promise<void> {
  if (!recipient.email) throw new Error('recipient has no email address');
  const { kind, period } = (await outboxPayload(deps.db, outboxId)) as { kind: PeriodKind; period: string };
  const report = await buildPeriodReport(deps.db, deps.config, deps.parameterIds, kind, period, deps.now());
  const charts = periodReportCharts(report).map((spec, i) => ({ cid: `chart${i + 1}@envmon`, png: svgToPng(barChartSvg(spec), { log: deps.log }) }));
  await deps.mail.send({
    from: deps.config.notifications.from,
    to: recipient.email,
    subject: periodReportSubject(report),
    text: renderPeriodReportText(report),
    html: renderPeriodReportHtml(report, { cids: charts.map((c) => c.cid) }),
    messageId,
    attachments: [
      ...charts.map((c, i) => ({ filename: `envmon-${period}-chart${i + 1}.png`, content: c.png, contentType: 'image/png', cid: c.cid })),
      { filename: `envmon-${period}.xlsx`, content: await periodReportXlsx(report), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    ],
  });
}
