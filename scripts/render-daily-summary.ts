/**
 * Renders one daily-summary HTML in headless Chromium, offline, to a PNG: proof that the report needs nothing from
 * the network (its chart is embedded, no external fonts, scripts or images). Not part of `npm test` — a fresh
 * machine needs no browser for the tests; `.ci/run` installs Debian's chromium and runs this.
 *
 * Data: a day of the Beijing data shipped in data/, imported into a temporary database (DATABASE_URL, else the
 * local PostgreSQL, else an embedded one). Output: var/render/daily-summary.{html,png}.
 * Usage: node --import tsx scripts/render-daily-summary.ts [path-to-chromium]
 */
import path from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { syncConfig } from '../db/sync-config.ts';
import { importRecords } from '../evaluate/import-records.ts';
import { createLogger } from '../lib/logger.ts';
import { buildDailyReport } from '../reports/daily-report.ts';
import { dailyReportChart, renderDailyReport } from '../reports/daily-report-render.ts';
import { readCsvFile } from '../sources/csv-file.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';
import { renderRoot as root, screenshotOffline } from './offline-screenshot.ts';

const chromium = process.argv[2] ?? '/usr/bin/chromium';
const DAY = '2016-01-30';
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

async function render(database: DatabaseHandle): Promise<number> {
  const config = loadConfig({}, root);
  const parameterIds = await syncConfig(database.db, config);
  const mapping = config.sources.find((s) => s.kind === 'replay-csv')?.mappingRules;
  if (!mapping) throw new Error('the default configuration has no Beijing mapping');
  async function* january2016() {
    for await (const record of readCsvFile(path.join(root, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv'), mapping as NonNullable<typeof mapping>)) {
      const at = record.readings[0]?.observedAt;
      if (at !== undefined && at.getTime() <= Date.parse('2016-01-31T16:00:00Z')) yield record;
    }
  }
  await importRecords(january2016(), { db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2016-03-01T00:00:00Z') }, { sourceId: null });
  const report = await buildDailyReport(database.db, config, parameterIds, DAY, new Date('2016-01-31T00:00:00Z'));
  const chart = dailyReportChart(report);
  const { html } = renderDailyReport(report, chart ? `data:image/png;base64,${chart.toString('base64')}` : null);
  screenshotOffline(chromium, 'daily-summary', html, '1000,1400');
  return 0;
}

process.exitCode = await withScratchDatabase('envmon_render', log, render);
