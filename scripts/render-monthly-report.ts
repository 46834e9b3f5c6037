/**
 * Renders one monthly report (月报) as HTML in headless Chromium, offline, to a PNG: proof that the report needs
 * nothing from the network (charts inline as SVG, no external fonts, scripts or images), and the mail's chart PNG
 * beside it. Not part of `npm test`.
 *
 * Data: January 2016 of the Beijing data shipped in data/ (Dongsi, Tiantan), imported into a temporary database
 * (DATABASE_URL, else the local PostgreSQL, else an embedded one). Output: var/render/monthly-report.{html,png} and
 * var/render/monthly-report-chart1.png.
 * Usage: node --import tsx scripts/render-monthly-report.ts [path-to-chromium]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { syncConfig } from '../db/sync-config.ts';
import { importRecords } from '../evaluate/import-records.ts';
import { createLogger } from '../lib/logger.ts';
import { barChartSvg, svgToPng } from '../reports/charts.ts';
import { buildPeriodReport } from '../reports/period-report.ts';
import { renderPeriodReportHtml } from '../reports/period-report-render.ts';
import { periodReportCharts } from '../reports/period-report-tables.ts';
import { readCsvFile } from '../sources/csv-file.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';
import { renderDir, renderRoot as root, screenshotOffline } from './offline-screenshot.ts';

const chromium = process.argv[2] ?? '/usr/bin/chromium';
const MONTH = '2016-01';
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

async function render(database: DatabaseHandle): Promise<number> {
  const config = loadConfig({}, root);
  const parameterIds = await syncConfig(database.db, config);
  const mapping = config.sources.find((s) => s.kind === 'replay-csv')?.mappingRules;
  if (!mapping) throw new Error('the default configuration has no Beijing mapping');
  async function* january2016(site: string) {
    for await (const record of readCsvFile(path.join(root, `data/beijing-multisite/PRSA_Data_${site}_2016.csv`), mapping as NonNullable<typeof mapping>)) {
      const at = record.readings[0]?.observedAt;
      if (at !== undefined && at.getTime() <= Date.parse('2016-01-31T16:00:00Z')) yield record;
    }
  }
  for (const site of ['Dongsi', 'Tiantan']) {
    await importRecords(january2016(site), { db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2016-03-01T00:00:00Z') }, { sourceId: null });
  }
  const report = await buildPeriodReport(database.db, config, parameterIds, 'monthly', MONTH, new Date('2016-03-01T00:00:00Z'));
  const html = renderPeriodReportHtml(report, { inline: 'svg' });
  const [firstChart] = periodReportCharts(report);
  if (firstChart) {
    mkdirSync(renderDir, { recursive: true });
    writeFileSync(path.join(renderDir, 'monthly-report-chart1.png'), svgToPng(barChartSvg(firstChart), { log }));
  }
  screenshotOffline(chromium, 'monthly-report', html, '1400,2400');
  return 0;
}

process.exitCode = await withScratchDatabase('envmon_render', log, render);
