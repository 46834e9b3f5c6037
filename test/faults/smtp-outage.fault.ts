/**
 * The mail server down for three hours of simulated time, with the retry policy an installation gets by default: alerts
 * fire before and during the outage, a notification run goes every simulated minute (through the real queue, the
 * worker's clock injected), and once the server is back every pending message goes out exactly once — none lost,
 * none failed for good, no Message-ID accepted twice.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { notifyJob } from '../../jobs/notify.ts';
import { pullJob } from '../../jobs/pull.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, repoRoot, startTestService } from '../support/test-service.ts';
import { mailLedger } from './support/mail-ledger.ts';
import { startMailSink, type MailSink } from './support/mail-sink.ts';
import { printScenario } from './support/scenario-report.ts';
import { driveStep, namespaceConfig, slotTime, sourceId, type Namespace } from './support/workload.ts';

const OUTAGE_MINUTES = 180;
const MINUTE_MS = 60_000;
const defaultRetries = path.join(repoRoot, 'test/faults/fixtures/default-mail-retries.yaml');

let database: TestDatabase;
let sink: MailSink;
let ns: Namespace;
beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startMailSink();
  ns = { databaseUrl: database.url, redisUrl: inject('redisUrl'), prefix: uniquePrefix(), sink, extraConfig: defaultRetries };
});
afterAll(async () => {
  await sink.close();
  await database.drop();
  await deleteRedisPrefix(inject('redisUrl'), ns.prefix);
});

describe('the mail server down for three hours', () => {
  it('sends every pending message once when it is back, with the default retry policy', async () => {
    const config = namespaceConfig(ns, tmpdir());
    expect(config.notifications).toMatchObject({ maxAttempts: 24, backoffSeconds: 30 });
    const start = Date.parse('2026-11-20T02:00:00Z');
    let clock = start;
    const service = await startTestService(config, () => new Date(clock));
    const queues = openTestQueues(config, ns.databaseUrl, ns.redisUrl);
    const notifyAt = async () => driveStep(queues, () => queues.enqueue(notifyJob, { slot: new Date(clock).toISOString() }), `the notification run at +${(clock - start) / MINUTE_MS} min`);
    const pull = async (i: number) => driveStep(queues, () => queues.enqueue(pullJob, { sourceId, slot: slotTime(i) }), `the pull of day ${i + 1}`);
    let acceptedDuringOutage = 0;
    try {
      await pull(0);
      await sink.stop();
      // The outage: a run every minute; more alerts at +20 and +40 minutes.
      for (let minute = 0; minute < OUTAGE_MINUTES; minute++) {
        clock = start + minute * MINUTE_MS;
        if (minute === 20) await pull(1);
        if (minute === 40) await pull(2);
        await notifyAt();
      }
      acceptedDuringOutage = sink.accepted.length;
      const pendingAtEnd = await database.db.selectFrom('notification_delivery').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
      await sink.start();
      // After it: runs every minute until nothing is pending (the longest backoff is an hour).
      let minute = OUTAGE_MINUTES;
      for (; minute <= OUTAGE_MINUTES + 2 * 60; minute++) {
        clock = start + minute * MINUTE_MS;
        await notifyAt();
        const left = await database.db.selectFrom('notification_delivery').select('id').where('status', '=', 'pending').execute();
        if (left.length === 0) break;
      }
      const rows = await database.db.selectFrom('notification_delivery').select(['status', 'attempts']).execute();
      const ledger = await mailLedger(database.db, sink.accepted, new Map(config.recipients.flatMap((r) => (r.email ? [[r.id, r.email] as const] : []))));
      const outbox = await database.db.selectFrom('notification_outbox').select(['kind']).execute();
      printScenario('mail server down for three hours of simulated time', {
        'simulated minutes (outage / until all sent)': `${OUTAGE_MINUTES} / ${minute}`,
        'alert transitions queued before / during the outage': `${outbox.length} in all`,
        'deliveries pending when the server came back': Number(pendingAtEnd.n),
        'messages accepted during the outage': acceptedDuringOutage,
        'deliveries sent / failed for good': `${rows.filter((r) => r.status === 'sent').length} / ${rows.filter((r) => r.status === 'failed').length}`,
        'most attempts of a delivery': Math.max(0, ...rows.map((r) => r.attempts)),
        'mails owed / messages / repeats': `${ledger.owed} / ${ledger.messages} / ${ledger.repeats}`,
        'mail transitions lost / duplicated': `${ledger.lost} / ${ledger.duplicated}`,
      });
      expect(Number(pendingAtEnd.n), 'deliveries waiting for the server when it came back').toBeGreaterThan(0);
      expect(acceptedDuringOutage).toBe(0);
      expect({ sent: rows.filter((r) => r.status === 'sent').length, failed: rows.filter((r) => r.status === 'failed').length }, 'deliveries by state').toEqual({ sent: rows.length, failed: 0 });
      // Three recipients take every alert transition; each gets it once, in a message accepted once.
      expect(ledger).toMatchObject({ owed: 3 * outbox.length, lost: 0, duplicated: 0, repeats: 0, unsent: 0 });
      // The longest backoff is an hour: nothing waits longer than that after the server is back.
      expect(clock - start).toBeLessThanOrEqual(OUTAGE_MINUTES * MINUTE_MS + HOUR_MS);
    } finally {
      await queues.close();
      await service.stop();
    }
  }, 300_000);
});
