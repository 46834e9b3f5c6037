/**
 * Monthly and annual reports on the real database: one period row and one outbox row however many producers race
 * for a period; the start-up catch-up queues last month's report once its scheduled minute (2nd, 09:00 Beijing) has
 * passed and not before; and the mail reaches an opted-in recipient through a real SMTP server with the chart PNG
 * by Content-ID and the Excel workbook attached, while a recipient who did not opt in gets nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { reportMonthlyCommand } from '../../cli/commands/report.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { buildPeriodReport } from '../../reports/period-report.ts';
import { renderPeriodReportText } from '../../reports/period-report-render.ts';
import type { Enqueue } from '../../jobs/job-deps.ts';
import { periodReportJob, queuePeriodReport, type PeriodReportPayload } from '../../jobs/period-report.ts';
import { createMailChannel, type MailChannel } from '../../notify/channels/mail.ts';
import { deliverDue, routeOutbox } from '../../notify/deliver-notifications.ts';
import { catchUpPeriodReports } from '../../workers/period-report-catch-up.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { quietLog, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let base: AppConfig;
let parameterIds: ParameterIds;
let smtp: SmtpSink;
let mail: MailChannel;

beforeAll(async () => {
  database = await createTestDatabase();
  base = testConfig({ DATABASE_URL: database.url });
  parameterIds = await syncConfig(database.db, base);
  smtp = await startSmtpSink();
  mail = createMailChannel(smtp.url, '/nonexistent', 5_000);
});
afterAll(async () => {
  mail.close();
  await smtp.close();
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['notification_delivery', 'notification_outbox', 'period_report'] as const) await database.db.deleteFrom(table).execute();
  smtp.received.length = 0;
});

const outboxRows = () => database.db.selectFrom('notification_outbox').select(['kind', 'dedup_key', 'payload']).where('kind', '=', 'period_report').orderBy('id').execute();

/** An enqueue that runs the job at once, as a worker would. */
const runNow: Enqueue = async (job, payload) => {
  await job.process(payload, { db: database.db } as never);
};

describe('period reports', () => {
  it('queues one report per period however many producers race for it', async () => {
    const payload: PeriodReportPayload = { kind: 'monthly', period: '2026-11' };
    const results = await Promise.all(Array.from({ length: 6 }, () => queuePeriodReport(database.db, payload)));
    expect(results.filter((r) => r.queued)).toHaveLength(1);
    await periodReportJob.process(payload, { db: database.db } as never);
    expect(await outboxRows()).toEqual([{ kind: 'period_report', dedup_key: 'monthly:2026-11', payload: { kind: 'monthly', period: '2026-11' } }]);
    const rows = await database.db.selectFrom('period_report').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.outbox_id).not.toBeNull();
  });

  it('catches up last month at start-up once the 2nd 09:00 Beijing has passed, not before', async () => {
    // 2026-12-02 08:59 Beijing = 00:59Z: the slot has not come; 09:00 Beijing = 01:00Z: it has.
    expect(await catchUpPeriodReports(base, runNow, new Date('2026-12-02T00:59:00Z'))).toEqual([]);
    expect(await outboxRows()).toEqual([]);
    expect(await catchUpPeriodReports(base, runNow, new Date('2026-12-20T03:00:00Z'))).toEqual(['monthly:2026-11']);
    // A second start the same month finds the period produced.
    await catchUpPeriodReports(base, runNow, new Date('2026-12-21T03:00:00Z'));
    expect((await outboxRows()).map((r) => r.dedup_key)).toEqual(['monthly:2026-11']);
    // 5 January 09:00 Beijing has passed on 6 January: last year's annual report and last month's (December).
    expect(await catchUpPeriodReports(base, runNow, new Date('2027-01-06T03:00:00Z'))).toEqual(['monthly:2026-12', 'annual:2026']);
  });

  it('mails the report to opted-in recipients with the chart PNGs by Content-ID and the workbook', async () => {
    const config: AppConfig = {
      ...base,
      recipients: [recipientSchema.parse({ id: 'chief', name: '局长', email: 'chief@example.org', periodReports: true }), recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org' })],
      notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', summaryDelaySeconds: 0 }),
    };
    await queuePeriodReport(database.db, { kind: 'monthly', period: '2026-11' });
    const now = new Date('2026-12-02T01:00:00Z');
    const deps = { db: database.db, config, parameterIds, mail, log: quietLog, now: () => now };
    expect(await routeOutbox(deps)).toBe(1);
    expect(await deliverDue(deps)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [message] = smtp.accepted();
    expect(smtp.accepted()).toHaveLength(1);
    expect(message?.parsed.to).toMatchObject({ text: 'chief@example.org' });
    expect(message?.parsed.subject).toContain('2026年11月环境质量月报');
    // Two charts (PM2.5, composite index), each a PNG the HTML shows by its Content-ID.
    const pngs = message?.parsed.attachments.filter((a) => a.contentType === 'image/png') ?? [];
    expect(pngs.map((a) => a.cid)).toEqual(['chart1@envmon', 'chart2@envmon']);
    expect(message?.parsed.html).toContain('src="cid:chart1@envmon"');
    expect(pngs[0]?.content.subarray(1, 4).toString('ascii')).toBe('PNG');
    const xlsx = message?.parsed.attachments.find((a) => a.filename === 'envmon-2026-11.xlsx');
    expect(xlsx).toBeDefined();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx?.content as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toContain('地表水');
    expect(workbook.getWorksheet('地表水')?.getRow(1).getCell(1).value).toBe('断面/水源');
  });

  it('builds the month as JSON: every site listed, too few days invalid, demonstration data in the title', async () => {
    // One simulated sample at 武良 on 15 November 12:00 Beijing: NH3-N 0.8 mg/L (GB 3838 Ⅲ类, 0.5 < x ≤ 1.0).
    await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2026-11-16T00:00:00Z') }, {
      sourceId: 'water-simulator',
      readings: [{ site: 'JC-SW-WULIANG', parameter: 'nh3_n', period: 'hour', observedAt: '2026-11-15T04:00:00.000Z', value: '0.8', unit: 'mg/L', flag: 'N' }],
      rejections: [],
      recordHealth: false,
    });
    const report = await buildPeriodReport(database.db, base, parameterIds, 'monthly', '2026-11', new Date('2026-12-02T01:00:00Z'));
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(json.title).toBe('2026年11月环境质量月报（模拟数据）');
    expect([json.from, json.to, json.complete]).toEqual(['2026-11-01', '2026-11-30', true]);
    const airCodes = base.sites.filter((s) => s.kind === 'air_station').map((s) => s.code).sort();
    expect(json.air.sites.map((a) => a.site).sort()).toEqual(airCodes);
    // No air data: 0 of the 27 days GB 3095 Table 4 requires for a month of 30 days.
    expect(json.air.sites[0]?.concentrations.pm2_5).toMatchObject({ valid: false, value: null, validCount: 0 });
    expect(json.air.sites[0]?.compositeIndex).toBeNull();
    const wuliang = json.water.months.find((m) => m.site === 'JC-SW-WULIANG' && m.period === '2026-11');
    expect(wuliang).toMatchObject({ samples: 1, class: 'III', originLabel: '模拟数据' });
    expect(renderPeriodReportText(report)).toContain('无效（有效0天');
    // The default targets are the 14th plan's (2021–2025): none is in force in November 2026, and the report says why.
    expect(json.targetsNote).toMatch(/^2026 年无在期规划目标：十四五目标已于2025年末到期，十五五目标未录入；\d+ 项沿用十四五目标作参考值/);
    expect(renderPeriodReportText(report)).toContain(json.targetsNote ?? 'a note');
  });

  it('envmon report monthly writes the workbook and names a bad --month', async () => {
    const context = { config: { ...base, databaseUrl: database.url }, log: quietLog, out: () => undefined };
    await expect(reportMonthlyCommand.run({ values: { month: '2026-13' }, positionals: [] }, context)).rejects.toThrow('--month "2026-13": expected YYYY-MM, e.g. 2026-11');
    await expect(reportMonthlyCommand.run({ values: { month: '2999-01' }, positionals: [] }, context)).rejects.toThrow('2999年1月 has not begun');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-report-')), 'm.xlsx');
    expect(await reportMonthlyCommand.run({ values: { month: '2026-10', xlsx: file }, positionals: [] }, context)).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    expect(workbook.worksheets).toHaveLength(6);
  });

  it('a service started after the 2nd 09:00 queues the month before at start-up', async () => {
    const config = { ...testConfig({ DATABASE_URL: database.url, ENVMON_QUEUE_PREFIX: uniquePrefix() }), sources: [], rules: [] };
    // 5 December 11:00 Beijing: the 2nd 09:00 passed while the service was down.
    const service = await startTestService(config, () => new Date('2026-12-05T03:00:00Z'));
    try {
      const row = await waitFor('the November report queued', async () => (await outboxRows()).find((r) => r.dedup_key === 'monthly:2026-11'));
      expect(row.payload).toEqual({ kind: 'monthly', period: '2026-11' });
    } finally {
      await service.stop();
    }
  });
});
