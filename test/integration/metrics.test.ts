/**
 * GET /metrics of a running service: real work through real queues (a scheduled pull, an ingest that stores two
 * readings and quarantines two records, the evaluations that follow, an alert, a mail through the SMTP sink), then
 * `metricsResponse` — every figure counted by hand from this file. Queue depth is read on both queue backends; a
 * refused delivery is counted as retrying, then as failed for good.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { notificationsSchema, recipientSchema, ruleSchema } from '../../config/schema.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { finishPending } from '../../evaluate/finish-pending.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { ingestJob } from '../../jobs/ingest.ts';
import { notifyJob } from '../../jobs/notify.ts';
import { pullJob } from '../../jobs/pull.ts';
import { createMetrics, metricsResponse } from '../../lib/metrics.ts';
import { createMailChannel } from '../../notify/channels/mail.ts';
import { deliverDue, routeOutbox } from '../../notify/deliver-notifications.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, quietLog, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

/** `name{labels}` → value, from Prometheus text exposition. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

const NOW = new Date('2026-11-22T05:17:30Z');

describe.each(['redis', 'postgres'] as const)('metrics of a service on the %s queue backend', (backendKind) => {
  let database: TestDatabase;
  let prefix: string;
  let smtp: SmtpSink;
  const redisUrl = () => (backendKind === 'redis' ? inject('redisUrl') : undefined);

  beforeEach(async () => {
    database = await createTestDatabase();
    prefix = uniquePrefix();
    smtp = await startSmtpSink();
  });
  afterEach(async () => {
    await smtp.close();
    await database.drop();
    if (backendKind === 'redis') await deleteRedisPrefix(inject('redisUrl'), prefix);
  });

  /**
   * Only the water simulator, pulled once: its schedule names the one slot 2026-11-22 05:15 UTC, which start-up
   * catches up and the wall clock never reaches again. One threshold rule on Guanyuan PM2.5, one mail recipient.
   */
  function config(): AppConfig {
    const base = testConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl(), ENVMON_QUEUE_PREFIX: prefix });
    return {
      ...base,
      sources: base.sources.filter((s) => s.id === 'water-simulator').map((s) => ({ ...s, schedule: '15 5 22 11 *', timeZone: 'UTC' })),
      rules: ruleSchema.array().parse([{ id: 'guanyuan-pm25', kind: 'threshold', scope: { sites: ['Guanyuan'] }, parameter: 'pm2_5', limit: 75, severity: 'critical', limitSource: 'GB 3095-2012 表1 二级 PM2.5 24 小时平均 75 μg/m³' }]),
      recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org', dailySummary: false })],
      notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 0 }),
      smtpUrl: smtp.url,
    };
  }

  it('counts what the service did, by hand', async () => {
    const cfg = config();
    const service = await startTestService(cfg, () => NOW);
    const queues = openTestQueues(cfg, database.url, redisUrl() ?? null);
    try {
      // The simulator's pull: 48 h back from 05:15 at one sample per 4 h is 12 samples × 4 sections × 6 parameters.
      await waitFor('the simulator batch', async () => Number((await database.db.selectFrom('reading').select((eb) => eb.fn.countAll<string>().as('n')).where('source_id', '=', 'water-simulator').executeTakeFirst())?.n) === 288);
      // An operator batch: two breaching PM2.5 hours at Guanyuan (the alert fires at the first), a reading of a site
      // nobody configured (quarantined: unknown_site) and a record the normalizer already refused (out_of_range).
      const pm25 = (hour: string, value: string) => ({ site: 'Guanyuan', parameter: 'pm2_5', period: 'hour' as const, observedAt: `2026-11-22T0${hour}:00:00.000Z`, value, unit: 'μg/m³', flag: 'N' });
      await queues.enqueue(ingestJob, {
        sourceId: null,
        readings: [pm25('3', '150'), pm25('4', '160'), { ...pm25('4', '40'), site: 'NO-SUCH-SITE' }],
        rejections: [{ code: 'out_of_range', reason: 'PM2.5 of 99999 μg/m³ is beyond the plausible range', raw: 'Guanyuan,pm2_5,99999' }],
      });
      await waitFor('the alert to fire', async () => (await database.db.selectFrom('alert').select('state').where('state', '=', 'firing').execute()).length === 1);
      await queues.enqueue(notifyJob, { slot: '2026-11-22T05:18:00.000Z' });
      await waitFor('the mail to be accepted', async () => smtp.accepted().length === 1);
      await waitFor('the delivery to be marked sent', async () => (await database.db.selectFrom('notification_delivery').select('status').where('status', '=', 'sent').execute()).length === 1);
      // A pull held an hour in the queue: one delayed job, counted on the scrape.
      const pullQueue = queues.queues.get('pull');
      if (!pullQueue) throw new Error('no pull queue');
      await pullQueue.add('pull', { sourceId: 'water-simulator', slot: '2026-11-22T06:15:00.000Z' }, { delay: 3_600_000, jobId: 'held' });
      // The jobs counted below have all finished: 1 pull, 2 ingests, and an evaluate job per site code a batch
      // touched: the simulator's 4 sections, Guanyuan and NO-SUCH-SITE (which finds no such site and skips) — 6.
      const completed = async (name: string) => (await queues.queues.get(name)?.getJobCounts('completed'))?.completed;
      await waitFor('every job to finish', async () => (await completed('pull')) === 1 && (await completed('ingest')) === 2 && (await completed('evaluate')) === 6);

      const response = await metricsResponse(service.metrics, database.db);
      expect(response.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
      const values = samples(response.body);
      const pick = (prefix: string) => [...values].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));

      // Readings: 288 new from the simulator; 2 new from the operator batch (no source: "import"); nothing revised.
      expect(pick('envmon_readings_ingested_total')).toEqual([
        ['envmon_readings_ingested_total{source="import",outcome="stored"}', 2],
        ['envmon_readings_ingested_total{source="water-simulator",outcome="stored"}', 288],
      ]);
      expect(pick('envmon_readings_rejected_total')).toEqual([
        ['envmon_readings_rejected_total{source="import",code="out_of_range"}', 1],
        ['envmon_readings_rejected_total{source="import",code="unknown_site"}', 1],
      ]);
      expect(values.get('envmon_quarantine_pending{code="out_of_range"}')).toBe(1);
      expect(values.get('envmon_quarantine_pending{code="unknown_site"}')).toBe(1);

      // One pull, timed, not failed.
      expect(values.get('envmon_pull_duration_seconds_count{source="water-simulator"}')).toBe(1);
      expect(pick('envmon_pull_failures_total{')).toEqual([]);
      expect(values.get('envmon_job_duration_seconds_count{queue="pull",outcome="completed"}')).toBe(1);
      expect(values.get('envmon_job_duration_seconds_count{queue="ingest",outcome="completed"}')).toBe(2);
      expect(values.get('envmon_job_duration_seconds_count{queue="evaluate",outcome="completed"}')).toBe(6);
      expect(pick('envmon_job_duration_seconds_count{queue="pull",outcome="failed"}')).toEqual([]);
      // Each evaluate job of a known site is one evaluation; the skipped one evaluated nothing: 5.
      expect(values.get('envmon_evaluation_duration_seconds_count')).toBe(5);
      expect(values.get('envmon_evaluations_pending')).toBe(0);

      // One critical alert firing; every other severity and state present at 0.
      expect(pick('envmon_alerts_open{')).toEqual([
        ['envmon_alerts_open{severity="critical",state="firing"}', 1],
        ['envmon_alerts_open{severity="critical",state="pending"}', 0],
        ['envmon_alerts_open{severity="info",state="firing"}', 0],
        ['envmon_alerts_open{severity="info",state="pending"}', 0],
        ['envmon_alerts_open{severity="warning",state="firing"}', 0],
        ['envmon_alerts_open{severity="warning",state="pending"}', 0],
      ]);
      // Its mail, accepted by the sink on the first attempt.
      expect(values.get('envmon_notification_deliveries_total{channel="email"}')).toBe(1);
      expect(pick('envmon_notification_delivery_failures_total{')).toEqual([]);
      expect(values.get('envmon_notification_deliveries_failed')).toBe(0);
      expect(values.get('envmon_notification_deliveries_pending')).toBe(0);

      // Queues: the held pull is the one delayed job; nothing waits, runs or failed.
      expect(values.get('envmon_queue_up{queue="pull"}')).toBe(1);
      expect(values.get('envmon_queue_jobs{queue="pull",state="delayed"}')).toBe(1);
      for (const queue of ['pull', 'ingest', 'evaluate']) {
        for (const state of ['waiting', 'active', 'failed']) expect(values.get(`envmon_queue_jobs{queue="${queue}",state="${state}"}`), `${queue} ${state}`).toBe(0);
      }
      // The source's health as the database has it: the pull succeeded.
      expect(values.get('envmon_source_consecutive_failures{source="water-simulator"}')).toBe(0);
      // Process metrics of this registry, prefixed.
      expect(values.get('envmon_process_start_time_seconds')).toBeGreaterThan(0);
    } finally {
      await queues.close();
      await service.stop();
    }
  });

  it('keeps one registry per service: a second service in the same process counts only its own work', async () => {
    const cfg = { ...config(), sources: [] };
    const [a, b] = await Promise.all([startTestService(cfg, () => NOW), startTestService(cfg, () => NOW)]);
    const queues = openTestQueues(cfg, database.url, redisUrl() ?? null);
    try {
      a.metrics.countHttpResponse(200);
      const [textA, textB] = await Promise.all([metricsResponse(a.metrics, database.db), metricsResponse(b.metrics, database.db)]);
      expect(samples(textA.body).get('envmon_http_responses_total{code="200"}')).toBe(1);
      expect(samples(textB.body).get('envmon_http_responses_total{code="200"}')).toBeUndefined();
      // Both serve the same queues (one prefix): a pull of a source nobody configured is taken by one and skipped.
      await queues.enqueue(pullJob, { sourceId: 'nowhere', slot: '2026-11-22T05:15:00.000Z' });
      await waitFor('the pull to be taken and skipped', async () => (await queues.queues.get('pull')?.getJobCounts('completed'))?.completed === 1);
      // One of the two services ran it: counted once in all, in that service's registry only.
      const [afterA, afterB] = [samples((await metricsResponse(a.metrics, database.db)).body), samples((await metricsResponse(b.metrics, database.db)).body)];
      const ran = (values: Map<string, number>) => values.get('envmon_job_duration_seconds_count{queue="pull",outcome="completed"}') ?? 0;
      expect(ran(afterA) + ran(afterB)).toBe(1);
      expect(afterB.get('envmon_queue_jobs{queue="pull",state="waiting"}')).toBe(0);
      expect(afterB.get('envmon_queue_up{queue="notify"}')).toBe(1);
    } finally {
      await queues.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('delivery failures', () => {
  it('counts an attempt the mail server refused as retrying, and the last one as failed for good', async () => {
    const database = await createTestDatabase();
    const smtp = await startSmtpSink();
    const mail = createMailChannel(smtp.url, '/nonexistent', 5_000);
    try {
      const config: AppConfig = {
        ...testConfig({ DATABASE_URL: database.url }),
        sources: [],
        rules: ruleSchema.array().parse([{ id: 'wuliang-nh3n', kind: 'threshold', scope: { sites: ['JC-SW-WULIANG'] }, parameter: 'nh3_n', limit: 1.0, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' }]),
        recipients: [recipientSchema.parse({ id: 'duty', name: '值班员', email: 'duty@example.org', dailySummary: false })],
        notifications: notificationsSchema.parse({ from: 'envmon <envmon@example.org>', groupSeconds: 0, backoffSeconds: 60, maxAttempts: 2 }),
        smtpUrl: smtp.url,
      };
      const parameterIds = await syncConfig(database.db, config);
      const metrics = createMetrics();
      let clock = new Date('2026-11-20T02:30:00Z');
      const deps = { db: database.db, pool: database.pool, config, parameterIds, partitions: new Set<string>(), mail, log: quietLog, metrics, now: () => clock };
      // NH3-N 2.31 mg/L breaches 1.0: one alert firing, one outbox row, one delivery to duty by mail.
      await storeBatch(deps, { sourceId: null, readings: [{ site: 'JC-SW-WULIANG', parameter: 'nh3_n', period: 'hour', observedAt: '2026-11-20T02:00:00.000Z', value: '2.31', unit: 'mg/L', flag: 'N' }], rejections: [] });
      await finishPending(deps, { wait: true });
      smtp.mode = 'refuse';
      await routeOutbox(deps);
      expect(await deliverDue(deps)).toEqual({ sent: 0, retrying: 1, failed: 0 });
      // The retry is due 60 s later (backoffSeconds × 2^0); it is the second and last attempt.
      clock = new Date(clock.getTime() + 60_000);
      expect(await deliverDue(deps)).toEqual({ sent: 0, retrying: 0, failed: 1 });

      const values = samples((await metricsResponse(metrics, database.db)).body);
      expect(values.get('envmon_notification_delivery_failures_total{channel="email",outcome="retrying"}')).toBe(1);
      expect(values.get('envmon_notification_delivery_failures_total{channel="email",outcome="failed"}')).toBe(1);
      expect(values.get('envmon_notification_deliveries_total{channel="email"}')).toBeUndefined();
      expect(values.get('envmon_notification_deliveries_failed')).toBe(1);
      expect(values.get('envmon_alerts_open{severity="warning",state="firing"}')).toBe(1);
      expect(values.get('envmon_readings_ingested_total{source="import",outcome="stored"}')).toBe(1);
      expect(values.get('envmon_evaluation_duration_seconds_count')).toBe(1);
    } finally {
      mail.close();
      await smtp.close();
      await database.drop();
    }
  });
});
