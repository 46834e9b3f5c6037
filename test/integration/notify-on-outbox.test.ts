/**
 * An alert's mail goes out because its outbox row was committed, not because a minute of the clock came: the service
 * runs as a worker only (ENVMON_ROLE=worker: no scheduler, so no clock-driven notify run exists), an hourly reading
 * over a threshold is queued for ingest, and the mail reaches a real SMTP server. The recipient's group window
 * (groupSeconds) still holds: the message leaves no earlier than the window after its routing, woken by a run asked
 * for when the delivery falls due.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { ingestJob } from '../../jobs/ingest.ts';
import type { Service } from '../../workers/main.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const GROUP_SECONDS = 2;

let database: TestDatabase;
let smtp: SmtpSink;
let prefix: string;
let service: Service;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpSink();
  prefix = uniquePrefix();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-notify-')), 'envmon.yaml');
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: JC-GRID-001, nameZh: 网格站001, nameEn: Grid 001, kind: air_station, area: 交城县 }',
      'rules:',
      '  - { id: grid-pm25-1h, kind: threshold, scope: { siteKinds: [air_station] }, parameter: pm2_5, window: 1h, limit: 115, limitSource: "HJ 633-2012 表1 IAQI 150", severity: warning }',
      'recipients:',
      '  - { id: duty, name: 值班员, email: duty@example.org, dailySummary: false }',
      'notifications:',
      `  groupSeconds: ${GROUP_SECONDS}`,
    ].join('\n'),
  );
  service = await startTestService(
    testConfig({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ENVMON_QUEUE_PREFIX: prefix, ENVMON_CONFIG: file, ENVMON_ROLE: 'worker', ENVMON_SMTP_URL: smtp.url }),
  );
});
afterAll(async () => {
  await service.stop();
  await smtp.close();
  await deleteRedisPrefix(inject('redisUrl'), prefix);
  await database.drop();
});

it('sends an alert mail without the clock, after its group window', async () => {
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ENVMON_QUEUE_PREFIX: prefix });
  const queues = openTestQueues(config, database.url, inject('redisUrl'));
  try {
    const hourEnd = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    await queues.enqueue(ingestJob, {
      sourceId: null,
      readings: [{ site: 'JC-GRID-001', parameter: 'pm2_5', period: 'hour', observedAt: hourEnd, value: '180', unit: 'μg/m³', flag: 'N' }],
      rejections: [],
    });
    const mail = await waitFor('the alert mail', async () => smtp.accepted()[0] ?? null);
    expect(mail.parsed.to).toMatchObject({ text: 'duty@example.org' });
    expect(mail.parsed.text).toContain('JC-GRID-001');

    // Marked sent in the transaction that held the delivery while the server accepted it: it commits just after.
    const delivery = await waitFor('the delivery marked sent', async () =>
      database.db.selectFrom('notification_delivery').select(['status', 'created_at', 'sent_at', 'message_id']).where('status', '=', 'sent').executeTakeFirst(),
    );
    expect(delivery).toMatchObject({ status: 'sent', message_id: mail.messageId });
    // Routed when the delivery row was written; sent only once its group window had passed.
    expect((delivery.sent_at as Date).getTime() - delivery.created_at.getTime()).toBeGreaterThanOrEqual(GROUP_SECONDS * 1000);

    // What ran: a run asked for by the committed outbox row, then one asked for when the delivery fell due — no run of
    // the clock (its ids are notify__<minute>).
    const notifyQueue = queues.queues.get('notify');
    if (!notifyQueue) throw new Error('no notify queue');
    const ids = (await notifyQueue.getJobs(['completed', 'active', 'waiting', 'delayed', 'failed'])).map((j) => (j.id ?? '').split('__').slice(0, 2).join('__'));
    expect([...new Set(ids)].sort()).toEqual(['notify__due', 'notify__outbox']);
    expect(smtp.accepted()).toHaveLength(1);
  } finally {
    await queues.close();
  }
}, 60_000);
