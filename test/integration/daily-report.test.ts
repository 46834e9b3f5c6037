/**
 * The daily summary on a day of the real Beijing data (Dongsi, 2016-01-01, a heavily polluted day), checked against
 * figures computed here from the CSV; and its mail: HTML with the chart as a PNG attached by Content-ID and the
 * day's data as CSV, queued once per report date.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { importRecords } from '../../evaluate/import-records.ts';
import { dailySummaryJob, reportDateFor } from '../../jobs/daily-summary.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import { createMailChannel } from '../../notify/channels/mail.ts';
import { deliverDue, routeOutbox } from '../../notify/deliver-notifications.ts';
import { buildDailyReport } from '../../reports/daily-report.ts';
import { reportDailyCommand } from '../../cli/commands/report.ts';
import { readCsvFile } from '../../sources/csv-file.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, repoRoot, testConfig } from '../support/test-service.ts';

const file = path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv');
const DAY = '2016-01-01';
let database: TestDatabase;
let config: AppConfig;
let parameterIds: ParameterIds;
let smtp: SmtpSink;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  parameterIds = await syncConfig(database.db, base);
  const found = base.sources.find((s) => s.kind === 'replay-csv')?.mappingRules;
  if (!found) throw new Error('no Beijing mapping');
  const mapping = found;
  smtp = await startSmtpSink();
  config = { ...base, smtpUrl: smtp.url, recipients: [recipientSchema.parse({ id: 'bureau', name: '局办公室', email: 'office@example.org' })], notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', summaryDelaySeconds: 0 }) };
  // January 2016 (to 24:00 of the 31st): the days around the report date and the 30 days of the chart.
  async function* january() {
    for await (const record of readCsvFile(file, mapping)) {
      const at = record.readings[0]?.observedAt;
      if (at !== undefined && at.getTime() <= Date.parse('2016-01-31T16:00:00Z')) yield record;
    }
  }
  const summary = await importRecords(january(), { db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2016-03-01T00:00:00Z') }, { sourceId: null });
  if (summary.stored < 700 * 6) throw new Error(`import stored too little: ${JSON.stringify(summary)}`);
});
afterAll(async () => {
  await smtp.close();
  await database.drop();
});

/** The day's hourly values of one CSV column, 01:00 … 24:00 (hour 0 of the next date is 24:00). */
function dayColumn(day: string, column: number): number[] {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const values: number[] = [];
  for (const line of readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1)) {
    const c = line.split(',');
    const date = `${c[1]}-${String(c[2]).padStart(2, '0')}-${String(c[3]).padStart(2, '0')}`;
    const h = Number(c[4]);
    if (((date === day && h > 0) || (date === next && h === 0)) && c[column] !== 'NA') values.push(Number(c[column]));
  }
  return values;
}

/** Integer mean, half to even, in integer arithmetic. */
function mean(values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const q = Math.floor(sum / values.length);
  const twice = 2 * (sum - q * values.length);
  return twice > values.length || (twice === values.length && q % 2 === 1) ? q + 1 : q;
}

/** HJ 633-2012 IAQI on the 24-hour breakpoints, rounded up. */
function iaqi(c: number, breakpoints: number[]): number {
  const levels = [0, 50, 100, 150, 200, 300, 400, 500];
  for (let i = 1; i < breakpoints.length; i++) {
    const hi = breakpoints[i] as number;
    const lo = breakpoints[i - 1] as number;
    if (c <= hi) return (levels[i - 1] as number) + Math.ceil((((levels[i] as number) - (levels[i - 1] as number)) * (c - lo)) / (hi - lo) - 1e-9);
  }
  return 500;
}

describe('daily report', () => {
  it('gives the day\'s AQI, primary pollutant, Grade II exceedances and completeness as computed from the CSV', async () => {
    const report = await buildDailyReport(database.db, config, parameterIds, DAY, new Date('2016-01-02T00:00:00Z'));
    const pm25 = dayColumn(DAY, 5);
    const pm10 = dayColumn(DAY, 6);
    const so2 = dayColumn(DAY, 7);
    const no2 = dayColumn(DAY, 8);
    const pm25Mean = mean(pm25);
    const expected = Math.max(iaqi(pm25Mean, [0, 35, 75, 115, 150, 250, 350, 500]), iaqi(mean(pm10), [0, 50, 150, 250, 350, 420, 500, 600]), iaqi(mean(so2), [0, 50, 150, 475, 800, 1600, 2100, 2620]), iaqi(mean(no2), [0, 40, 80, 180, 280, 565, 750, 940]));
    const dongsi = report.air.find((a) => a.site === 'Dongsi');
    expect(dongsi?.hasData).toBe(true);
    // By hand from the CSV: 24 PM2.5 hours sum to 4406, 183.6 → 184 → IAQI 200 + 100/100 × (184 − 150) = 234; the
    // others are lower (PM10 203 → 127, NO2 103 → 112, CO 3.3 mg/m³ → 83, SO2 36 → 36, O3 8-hour 7 → 4).
    expect(pm25Mean).toBe(184);
    expect(expected).toBe(234);
    expect(dongsi?.aqi).toBe(234);
    expect(dongsi?.primaryPollutants).toEqual(['pm2_5']);
    expect(dongsi?.completeness.pm2_5).toBe(pm25.length);
    const over = dongsi?.exceedances.find((e) => e.parameter === 'pm2_5');
    expect(over).toMatchObject({ value: String(pm25Mean), limit: 75, clause: 'GB 3095-2012 表1 二级 PM2.5 24小时平均 75 μg/m³' });
    // 超标倍数 = (C − 75) / 75 to two decimals, half to even: 109 / 75 = 1.4533… → 1.45.
    expect(over?.multiple).toBe('1.45');
    expect(report.chart?.days.at(-1)).toEqual({ day: DAY, value: String(pm25Mean) });
    expect(report.chart?.target).toBe(75);
  });

  it('is the same report on demand: envmon report daily --json and --html', async () => {
    const out: string[] = [];
    const context = { config: { ...config, databaseUrl: database.url }, log: quietLog, out: (text: string) => out.push(text) };
    expect(await reportDailyCommand.run({ values: { date: DAY, json: true }, positionals: [] }, context)).toBe(0);
    const report = JSON.parse(out.join('')) as { date: string; air: { site: string; aqi: number }[] };
    expect(report.date).toBe(DAY);
    expect(report.air.find((a) => a.site === 'Dongsi')).toMatchObject({ site: 'Dongsi', aqi: 234 });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-report-')), 'daily.html');
    expect(await reportDailyCommand.run({ values: { date: DAY, html: file }, positionals: [] }, context)).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<td>北京东四</td><td>234</td>');
    expect(html).toMatch(/<img src="data:image\/png;base64,iVBORw0KGgo/);
    rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('is queued once per date and mailed with the chart by Content-ID and the day\'s data as CSV', async () => {
    const mail = createMailChannel(smtp.url, '/nonexistent', 5_000);
    try {
      const deps = { db: database.db, config, parameterIds, mail, log: quietLog, now: () => new Date('2016-01-02T00:05:00Z') };
      const date = reportDateFor(new Date('2016-01-02T00:00:00Z')); // 08:00 Beijing on the 2nd reports the 1st
      expect(date).toBe(DAY);
      await dailySummaryJob.process({ date }, deps as unknown as JobDeps);
      await dailySummaryJob.process({ date }, deps as unknown as JobDeps);
      await routeOutbox(deps);
      expect(await deliverDue(deps)).toEqual({ sent: 1, retrying: 0, failed: 0 });
      const [message] = smtp.accepted();
      expect(smtp.accepted()).toHaveLength(1);
      expect(message?.parsed.subject).toMatch(/^【环境质量日报】2016-01-01：/);
      expect(message?.parsed.html).toContain('src="cid:chart@envmon"');
      const png = message?.parsed.attachments.find((a) => a.contentType === 'image/png');
      expect(png?.cid).toBe('chart@envmon');
      expect(png?.content.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const csv = message?.parsed.attachments.find((a) => a.filename === `envmon-${DAY}.csv`)?.content.toString('utf8') ?? '';
      expect(csv.split('\r\n').filter((l) => l.startsWith('Dongsi,')).filter((l) => l.includes(',pm2_5,'))).toHaveLength(dayColumn(DAY, 5).length);
    } finally {
      mail.close();
    }
  });
});
