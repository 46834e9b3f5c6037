/**
 * A grouped alert mail as the duty officer's mail server receives it (a real SMTP server in this process, a real
 * database): the subject leads with the worst alert firing now and counts late data and recoveries apart; the HTML
 * carries the severity colours, the console links under linkBase, and no ack for what has recovered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema, ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { createMailChannel, type MailChannel } from '../../notify/channels/mail.ts';
import { deliverDue, routeOutbox, type NotifyDeps } from '../../notify/deliver-notifications.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
let smtp: SmtpSink;
let mail: MailChannel;
let clock = new Date('2026-11-20T02:30:00Z');

const section = { sites: ['JC-SW-WULIANG'] };
const rules = [
  { id: 'wuliang-nh3n', kind: 'threshold', scope: section, parameter: 'nh3_n', limit: 1.0, clearAt: 0.9, severity: 'warning', limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' },
  { id: 'wuliang-codmn', kind: 'threshold', scope: section, parameter: 'codmn', limit: 6, severity: 'critical', limitSource: 'GB 3838-2002 表1 Ⅲ类 高锰酸盐指数 ≤ 6 mg/L' },
  { id: 'wuliang-do', kind: 'threshold', scope: section, parameter: 'do', direction: '<', limit: 5, severity: 'warning', limitSource: 'GB 3838-2002 表1 Ⅲ类 溶解氧 ≥ 5 mg/L' },
  { id: 'wuliang-tp', kind: 'threshold', scope: section, parameter: 'tp', limit: 0.2, severity: 'warning', limitSource: 'GB 3838-2002 表1 Ⅲ类 总磷 ≤ 0.2 mg/L' },
];

async function deliver(parameter: string, at: string, value: string): Promise<void> {
  const readings = [{ site: 'JC-SW-WULIANG', parameter, period: 'hour' as const, observedAt: at, value, unit: 'mg/L', flag: 'N' }];
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => clock }, { sourceId: null, readings, rejections: [] });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => clock }, touchedSeries(readings));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  parameterIds = await syncConfig(database.db, base);
  smtp = await startSmtpSink();
  mail = createMailChannel(smtp.url, '/nonexistent', 5_000);
  config = {
    ...base,
    rules: ruleSchema.array().parse(rules),
    recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org' })],
    // A console behind a path prefix, written with a trailing slash.
    notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 60, linkBase: 'https://gw.example.gov.cn/envmon/' }),
    smtpUrl: smtp.url,
  };
});
afterAll(async () => {
  mail.close();
  await smtp.close();
  await database.drop();
});

describe('a grouped alert mail through the mail server', () => {
  it('leads with the worst live alert, counts late data and recoveries apart, and links each alert in the console', async () => {
    // Within one group window: NH3-N fires at 09:00 and recovers at 10:00 (Beijing); CODMn (critical) and DO
    // (warning) fire at 10:00; TP's 07:00 value arrives at 10:30, three and a half hours late.
    await deliver('nh3_n', '2026-11-20T01:00:00Z', '2.31');
    await deliver('nh3_n', '2026-11-20T02:00:00Z', '0.85');
    await deliver('codmn', '2026-11-20T02:00:00Z', '12.5');
    await deliver('do', '2026-11-20T02:00:00Z', '4.1');
    await deliver('tp', '2026-11-19T23:00:00Z', '0.35');
    const deps: NotifyDeps = { db: database.db, config, parameterIds, mail, log: quietLog, now: () => clock };
    await routeOutbox(deps);
    clock = new Date(clock.getTime() + 61_000);
    expect(await deliverDue(deps)).toEqual({ sent: 5, retrying: 0, failed: 0 });
    expect(smtp.accepted()).toHaveLength(1);
    const received = smtp.accepted()[0]?.parsed;

    // CODMn (12.5 − 6) / 6 = 1.083… → 1.08, shown against 6.0 (as many decimals as the value); two alerts fire now
    // (CODMn, DO), one from late data (TP), one recovered (NH3-N: its firing and its recovery are one alert).
    expect(received?.subject).toBe('【严重】【超标预警】磁窑河武良断面 高锰酸盐指数 12.5 mg/L，超Ⅲ类标准限值(6.0) 1.08倍 等 2 条告警；1 条补报；1 条已恢复');

    const html = typeof received?.html === 'string' ? received.html : '';
    const ids = new Map((await database.db.selectFrom('alert').select(['id', 'rule_id']).execute()).map((a) => [a.rule_id, a.id]));
    const link = (rule: string) => `https://gw.example.gov.cn/envmon/alerts/${ids.get(rule) ?? 'missing'}`;
    // In the subject's order: the critical CODMn card, the DO warning, the late TP, the recovered NH3-N.
    const cards = [link('wuliang-codmn'), link('wuliang-do'), link('wuliang-tp'), link('wuliang-nh3n')].map((href) => html.indexOf(`<a href="${href}"`));
    expect(cards.every((at) => at > 0)).toBe(true);
    expect([...cards].sort((a, b) => a - b)).toEqual(cards);
    // Live and late alerts are acknowledged in the console; the recovered one only links to its history.
    expect(html).toContain(`<a href="${link('wuliang-codmn')}" style="display:block;text-align:center;text-decoration:none;font-weight:bold;font-size:16px;line-height:20px;padding:14px 16px;border-radius:6px;margin-top:12px;background:#B71C1C;color:#FFFFFF">在控制台查看并确认</a>`);
    expect(html).toContain(`<a href="${link('wuliang-nh3n')}" style="display:block;text-align:center;text-decoration:none;font-weight:bold;font-size:16px;line-height:20px;padding:14px 16px;border-radius:6px;margin-top:12px;background:#FFFFFF;color:#616161;border:2px solid #616161">查看告警记录</a>`);
    expect(html.split('在控制台查看并确认').length - 1).toBe(3);
    expect(html).not.toContain('envmon alerts ack');
    // Severity colours on the cards: critical, warning.
    expect(html).toContain('border-left:6px solid #B71C1C');
    expect(html).toContain('border-left:6px solid #BF5000');
    expect(html).toContain('max-width:600px');
    expect(html).toContain('磁窑河武良断面');
    expect(html).not.toContain('断面断面');
    expect(received?.text).toContain(`在控制台查看并确认：${link('wuliang-codmn')}`);
  });
});
