/**
 * Notifications end to end on a real database and a real SMTP server in this process: an alert's transitions
 * become mail with the evidence, once each; a refusing or vanished server loses nothing and repeats the same
 * Message-ID; failed mail can be retried; bursts become one message; webhooks are signed; without a server mail
 * is written as .eml files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema, ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges } from '../../evaluate/evaluate-changes.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { freePort } from '../../lib/free-port.ts';
import { createMailChannel, type MailChannel } from '../../notify/channels/mail.ts';
import { signWebhook } from '../../notify/channels/webhooks.ts';
import { deliverDue, queueReminders, routeOutbox, type NotifyDeps } from '../../notify/deliver-notifications.ts';
import { notificationsListCommand, notificationsRetryCommand } from '../../cli/commands/notifications.ts';
import type { Command } from '../../cli/command.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';
import { quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let base: AppConfig;
let smtp: SmtpSink;
let mail: MailChannel;
const partitions = new Set<string>();
let clock = new Date('2026-11-20T02:30:00Z');

const nh3Rule = { id: 'wuliang-nh3n-class3', kind: 'threshold', scope: { sites: ['JC-SW-WULIANG'] }, parameter: 'nh3_n', limit: 1.0, clearAt: 0.9, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L（武良 2025 年目标 Ⅲ类）' };

function config(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...base,
    rules: ruleSchema.array().parse([nh3Rule, { ...nh3Rule, id: 'wuliang-codmn', parameter: 'codmn', limit: 6, clearAt: 6, limitSource: 'GB 3838-2002 表1 Ⅲ类 高锰酸盐指数 ≤ 6 mg/L' }]),
    recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org' })],
    notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 0, backoffSeconds: 60, maxAttempts: 3 }),
    smtpUrl: smtp.url,
    ...overrides,
  };
}

const deps = (cfg: AppConfig, channel: MailChannel = mail): NotifyDeps => ({ db: database.db, config: cfg, parameterIds, mail: channel, log: quietLog, now: () => clock });

async function deliver(inputs: { parameter: string; at: string; value: string }[], cfg = config()): Promise<void> {
  const readings = inputs.map((i) => ({ site: 'JC-SW-WULIANG', parameter: i.parameter, period: 'hour' as const, observedAt: i.at, value: i.value, unit: 'mg/L', flag: 'N' }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now: () => clock }, { sourceId: null, readings, rejections: [] });
  await evaluateChanges({ db: database.db, config: cfg, parameterIds, now: () => clock }, touchedSeries(readings));
}

/** Runs a CLI command in this process against the test database; resolves to what it printed. */
async function command(cmd: Command, values: Record<string, string | boolean>, positionals: string[] = []): Promise<string> {
  const out: string[] = [];
  const code = await cmd.run({ values, positionals }, { config: { ...base, databaseUrl: database.url }, log: quietLog, out: (text) => out.push(text) });
  expect(code).toBe(0);
  return out.join('\n');
}

async function runOutbox(cfg = config(), channel: MailChannel = mail) {
  await routeOutbox(deps(cfg, channel));
  return deliverDue(deps(cfg, channel));
}

beforeAll(async () => {
  database = await createTestDatabase();
  base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
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
  for (const table of ['notification_delivery', 'notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading'] as const) await database.db.deleteFrom(table).execute();
  smtp.received.length = 0;
  smtp.mode = 'accept';
  clock = new Date('2026-11-20T02:30:00Z');
});
afterEach(async () => {
  await smtp.start(); // a test that stopped the server gets it back
});

describe('notifications', () => {
  it('mails each alert transition once, with the evidence, and the resolution with the value at resolution', async () => {
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T01:00:00Z', value: '0.92' }, { parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '2.31' }]);
    expect(await runOutbox()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await runOutbox()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    const [first] = smtp.accepted();
    expect(first?.parsed.subject).toBe('【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍');
    expect(first?.parsed.text).toContain('超标倍数：1.31');
    expect(first?.parsed.text).toContain('近24小时：09时 0.92 · 10时 2.31');
    expect(first?.parsed.html).toContain('GB 3838-2002 表1 Ⅲ类 氨氮');
    expect(first?.parsed.to && 'text' in first.parsed.to ? first.parsed.to.text : '').toBe('duty@example.org');

    clock = new Date('2026-11-20T03:30:00Z');
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T03:00:00Z', value: '0.85' }]);
    await runOutbox();
    expect(smtp.accepted().map((m) => m.parsed.subject)).toEqual([first?.parsed.subject, '【恢复】磁窑河武良断面 氨氮 0.85 mg/L，已回到Ⅲ类标准限值(1.0)以内']);
    const outbox = await database.db.selectFrom('notification_outbox').select(['status']).execute();
    expect(outbox.map((o) => o.status)).toEqual(['sent', 'sent']);
  });

  it('loses nothing while the server refuses or is gone, and repeats the same Message-ID until it is accepted', async () => {
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '1.8' }]);
    smtp.mode = 'refuse';
    expect(await runOutbox()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    // Retried after backoffSeconds × 2^(attempt − 1): 60 s after the first failure (02:30:00), not before.
    const due = async () => (await database.db.selectFrom('notification_delivery').select('next_attempt_at').executeTakeFirstOrThrow()).next_attempt_at.toISOString();
    expect(await due()).toBe('2026-11-20T02:31:00.000Z');
    expect(await runOutbox()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    // The server goes away for the next attempt (after the 60 s backoff) …
    await smtp.stop();
    clock = new Date(clock.getTime() + 61_000);
    expect(await runOutbox()).toEqual({ sent: 0, retrying: 1, failed: 0 });
    // … 120 s after the second failure (02:31:01).
    expect(await due()).toBe('2026-11-20T02:33:01.000Z');
    // … and an alert fires meanwhile.
    clock = new Date(clock.getTime() + 60_000);
    await deliver([{ parameter: 'codmn', at: '2026-11-20T02:00:00Z', value: '7.5' }]);
    await smtp.start();
    smtp.mode = 'accept';
    clock = new Date(clock.getTime() + 121_000);
    expect(await runOutbox()).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(await runOutbox()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    const accepted = smtp.accepted();
    expect(accepted).toHaveLength(2);
    const refused = smtp.received.filter((m) => !m.accepted);
    expect(refused).toHaveLength(1);
    expect(accepted.map((m) => m.messageId)).toContain(refused[0]?.messageId);
    const rows = await database.db.selectFrom('notification_delivery').select(['status', 'attempts', 'message_id']).orderBy('id').execute();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['sent', 3], ['sent', 1]]);
    expect(rows[0]?.message_id).toBe(refused[0]?.messageId);
  });

  it('gives up after maxAttempts, shows the failure, and sends again on retry', async () => {
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '1.8' }]);
    smtp.mode = 'refuse';
    for (let i = 0; i < 3; i++) {
      await runOutbox();
      clock = new Date(clock.getTime() + HOUR_MS);
    }
    const failed = await database.db.selectFrom('notification_delivery').select(['id', 'status', 'last_error']).execute();
    expect(failed).toMatchObject([{ status: 'failed', last_error: expect.stringContaining('451') as string }]);
    expect((await database.db.selectFrom('notification_outbox').select('status').executeTakeFirstOrThrow()).status).toBe('failed');
    smtp.mode = 'accept';
    const listed = await command(notificationsListCommand, { failed: true, json: true });
    expect(JSON.parse(listed) as unknown[]).toMatchObject([{ status: 'failed', recipient: 'duty', channel: 'email', attempts: 3 }]);
    expect(await command(notificationsRetryCommand, { 'all-failed': true })).toBe('1 notification(s) queued again');
    // The command makes the delivery due at once, by the real clock of whoever runs it: the run happens then.
    const queued = await database.db.selectFrom('notification_delivery').select(['status', 'attempts', 'next_attempt_at']).executeTakeFirstOrThrow();
    expect(queued).toMatchObject({ status: 'pending', attempts: 0 });
    clock = queued.next_attempt_at;
    expect(await runOutbox()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(smtp.accepted()).toHaveLength(1);
    // The accepted message is the one refused three times: same Message-ID.
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(1);
  });

  it('reminds a recipient who asks for it while an alert stays firing, once per period', async () => {
    const cfg = config({ recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org', repeatHours: 2 })] });
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '2.31' }], cfg);
    await runOutbox(cfg);
    clock = new Date('2026-11-20T04:05:00Z'); // more than two hours after it fired at 10:00 Beijing
    expect(await queueReminders(deps(cfg))).toBe(1);
    expect(await queueReminders(deps(cfg))).toBe(0);
    await runOutbox(cfg);
    expect(smtp.accepted().map((m) => m.parsed.subject)).toEqual(['【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍', '【持续】【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍']);
  });

  it('sends a burst at one site as one message', async () => {
    const cfg = config({ notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 60 }) });
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '1.8' }, { parameter: 'codmn', at: '2026-11-20T02:00:00Z', value: '7.5' }], cfg);
    await routeOutbox(deps(cfg));
    expect(await deliverDue(deps(cfg))).toEqual({ sent: 0, retrying: 0, failed: 0 }); // still gathering
    clock = new Date(clock.getTime() + 61_000);
    expect(await deliverDue(deps(cfg))).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(smtp.accepted()).toHaveLength(1);
    // Both warnings: the larger exceedance leads, NH3-N (1.8 − 1) / 1 = 0.8 before CODMn (7.5 − 6) / 6 = 0.25.
    expect(smtp.accepted()[0]?.parsed.subject).toBe('【警告】【超标预警】磁窑河武良断面 氨氮 1.8 mg/L，超Ⅲ类标准限值(1.0) 0.8倍 等 2 条告警');
  });

  it('never sends a group twice when a second run starts while the first is still sending past its lease', async () => {
    const twoRecipients = config({ recipients: ['duty-a', 'duty-b'].map((id) => recipientSchema.parse({ id, name: id, email: `${id}@example.org` })) });
    await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '2.31' }], twoRecipients);
    await routeOutbox(deps(twoRecipients));
    // Two messages are due (one per recipient). The server is slow: the first run stalls on its first message.
    const release = smtp.hold();
    const first = deliverDue(deps(twoRecipients));
    try {
      await waitFor('the first run to be sending', async () => smtp.held() === 1);
      // Long past the first run's reservation (10 minutes), a second run starts and sends what it may.
      clock = new Date(clock.getTime() + 11 * 60_000);
      const second = deliverDue(deps(twoRecipients));
      await waitFor('the second run to be sending', async () => smtp.held() === 2);
      release();
      const runs = await Promise.all([first, second]);
      expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(2);
    } finally {
      release();
    }
    const to = (m: (typeof smtp.received)[number]) => (m.parsed.to && 'text' in m.parsed.to ? m.parsed.to.text : '');
    expect(smtp.accepted().map(to).sort()).toEqual(['duty-a@example.org', 'duty-b@example.org']);
    const rows = await database.db.selectFrom('notification_delivery').select(['recipient', 'status', 'attempts']).orderBy('recipient').execute();
    expect(rows).toEqual([
      { recipient: 'duty-a', status: 'sent', attempts: 1 },
      { recipient: 'duty-b', status: 'sent', attempts: 1 },
    ]);
  });

  it('writes mail as .eml files when no mail server is configured', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-outbox-'));
    const files = createMailChannel(null, dir, 5_000);
    try {
      await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '2.31' }]);
      const cfg = config({ smtpUrl: null });
      expect(await runOutbox(cfg, files)).toEqual({ sent: 1, retrying: 0, failed: 0 });
      const written = readdirSync(path.join(dir, 'outbox'));
      expect(written).toHaveLength(1);
      const eml = readFileSync(path.join(dir, 'outbox', written[0] as string), 'utf8');
      expect(eml).toMatch(/^Message-ID: <envmon\.duty\.file\.\d+@example\.org>\r$/m);
      expect(eml).toContain('To: duty@example.org');
    } finally {
      files.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs generic webhooks and uses the robots\' formats (DingTalk signed URL, WeCom markdown)', async () => {
    const port = await freePort();
    const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(req.url?.startsWith('/hook') ? '{}' : '{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const recipient = recipientSchema.parse({
        id: 'ops',
        name: 'Ops',
        webhooks: [
          { kind: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET' },
          { kind: 'dingtalk', urlEnv: 'DING_URL', secretEnv: 'DING_SECRET' },
          { kind: 'wecom', urlEnv: 'WECOM_URL' },
        ],
      });
      const cfg = config({
        recipients: [recipient],
        channelSecrets: { HOOK_URL: `http://127.0.0.1:${port}/hook`, HOOK_SECRET: 'hook-key', DING_URL: `http://127.0.0.1:${port}/robot/send?access_token=t0k`, DING_SECRET: 'SECding', WECOM_URL: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=k3y` },
        notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 0, linkBase: 'https://gw.example.gov.cn/envmon' }),
      });
      await deliver([{ parameter: 'nh3_n', at: '2026-11-20T02:00:00Z', value: '2.31' }], cfg);
      expect(await runOutbox(cfg)).toEqual({ sent: 3, retrying: 0, failed: 0 });
      const hook = seen.find((s) => s.url === '/hook');
      // The timestamp is the run's clock, 2026-11-20T02:30:00Z, in seconds; the signature is that of the body as it
      // arrived, by signWebhook, whose output the unit tests pin to a vector computed with OpenSSL.
      expect(hook?.headers['x-envmon-timestamp']).toBe('1795141800');
      expect(hook?.headers['x-envmon-signature']).toBe(signWebhook('hook-key', 1795141800, hook?.body ?? ''));
      expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ subject: '【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍', items: [{ kind: 'alert', evidence: { value: '2.31' } }] });
      const ding = new URL(seen.find((s) => s.url.startsWith('/robot'))?.url ?? '/', 'http://x');
      // DingTalk 加签 at the run's clock in milliseconds; the sign computed apart from envmon:
      //   printf '1795141800000\nSECding' | openssl dgst -sha256 -hmac SECding -binary | base64
      expect(ding.searchParams.get('timestamp')).toBe('1795141800000');
      expect(ding.searchParams.get('sign')).toBe('rKSMOlQTlgcufG8L+JUiSwz2EbmlH/LZhfX+h0yXe+w=');
      const wecom = JSON.parse(seen.find((s) => s.url.startsWith('/cgi-bin'))?.body ?? '{}') as { msgtype: string; markdown: { content: string } };
      expect(wecom.msgtype).toBe('markdown');
      expect(wecom.markdown.content).toMatch(/^### 【超标预警】磁窑河武良断面/);
      // The action, as in the mail: a link to the alert in the console (under linkBase's path prefix), no command.
      const { id } = await database.db.selectFrom('alert').select('id').executeTakeFirstOrThrow();
      const link = `https://gw.example.gov.cn/envmon/alerts/${id}`;
      expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ items: [{ alertId: id, link }] });
      expect(wecom.markdown.content).toContain(`> [在控制台查看并确认](${link})`);
      const dingBody = JSON.parse(seen.find((s) => s.url.startsWith('/robot'))?.body ?? '{}') as { markdown: { text: string } };
      expect(dingBody.markdown.text).toContain(`> [在控制台查看并确认](${link})`);
      expect(wecom.markdown.content + dingBody.markdown.text).not.toContain('envmon alerts ack');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
