/**
 * The whole pull → ingest pipeline through real queues, on both backends: Redis (REDIS_URL set) and BullMQ's
 * PostgreSQL backend (no REDIS_URL).
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { ruleSchema } from '../../config/schema.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { jobs } from '../../jobs/index.ts';
import { ingestJob } from '../../jobs/ingest.ts';
import { pullJob } from '../../jobs/pull.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

describe.each(['redis', 'postgres'] as const)('pipeline on the %s queue backend', (backendKind) => {
  let database: TestDatabase;
  let prefix: string;
  const redisUrl = () => (backendKind === 'redis' ? inject('redisUrl') : undefined);
  const config = () => testConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl(), ENVMON_QUEUE_PREFIX: prefix });

  beforeEach(async () => {
    database = await createTestDatabase();
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    await database.drop();
    if (backendKind === 'redis') await deleteRedisPrefix(inject('redisUrl'), prefix);
  });

  const readingsBySource = async (): Promise<Record<string, number>> => {
    const rows = await database.db.selectFrom('reading').select(['source_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('source_id').execute();
    return Object.fromEntries(rows.map((r) => [r.source_id ?? '', Number(r.n)]));
  };

  it('pulls both demo sources at start-up and stores their readings', async () => {
    const now = new Date('2026-11-22T05:17:30Z');
    const service = await startTestService(config(), () => now);
    try {
      const counts = await waitFor('readings from both sources', async () => {
        const c = await readingsBySource();
        return c['beijing-replay'] && c['water-simulator'] ? c : null;
      });
      expect(counts['beijing-replay']).toBeGreaterThan(0);
      // 48 h of hourly data for 4 Beijing stations × 6 pollutants: the hours ending (2026-11-20 05:15, 2026-11-22
      // 05:15] UTC replay 2016-11-12 13:15 … 2016-11-14 13:15 Beijing time, where the four CSVs have no NA cell
      // (counted apart from envmon): 48 × 4 × 6 = 1152. 48 h of 4-hourly samples for 4 river sections × 6 parameters.
      await waitFor('the Beijing readings', async () => (await readingsBySource())['beijing-replay'] === 48 * 4 * 6);
      await waitFor('the simulator batch', async () => (await readingsBySource())['water-simulator'] === 12 * 4 * 6);
      const source = await database.db.selectFrom('source').select(['id', 'cursor', 'last_success_at']).orderBy('id').execute();
      // The latest slot at or before 05:17 for "*/5" is 05:15; the simulator's latest sample is 04:00 UTC (12:00 Beijing).
      expect(source.map((s) => [s.id, s.cursor?.toISOString()])).toEqual([
        ['beijing-replay', '2026-11-22T05:00:00.000Z'],
        ['water-simulator', '2026-11-22T04:00:00.000Z'],
      ]);
    } finally {
      await service.stop();
    }
  });

  it('runs a slot once even when two instances schedule it', async () => {
    const now = new Date('2026-11-22T05:17:30Z');
    const [a, b] = await Promise.all([startTestService(config(), () => now), startTestService(config(), () => now)]);
    const queues = openTestQueues(config(), database.url, redisUrl() ?? null);
    try {
      // Both instances enqueued the 05:15 slot of both sources at start-up; a third enqueue changes nothing.
      await queues.enqueue(pullJob, { sourceId: 'beijing-replay', slot: '2026-11-22T05:15:00.000Z' });
      const pullQueue = queues.queues.get('pull');
      const ingestQueue = queues.queues.get('ingest');
      if (!pullQueue || !ingestQueue) throw new Error('queues missing');
      await waitFor('both ingests to complete', async () => (await ingestQueue.getJobCounts('completed')).completed === 2);
      const pulls = await pullQueue.getJobs(['completed', 'active', 'waiting', 'delayed', 'failed']);
      expect(pulls.map((j) => j.id).sort()).toEqual([
        'pull__beijing-replay__2026-11-22T05_15_00.000Z',
        'pull__water-simulator__2026-11-22T05_15_00.000Z',
      ]);
    } finally {
      await queues.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('evaluates a batch whose ingest is run again after its first attempt stored it and died', async () => {
    const cfg = {
      ...config(),
      sources: [],
      recipients: [],
      rules: ruleSchema.array().parse([{ id: 'nh3n-1h', kind: 'threshold', scope: { sites: ['JC-SW-WULIANG'] }, parameter: 'nh3_n', limit: 1.0, forEvaluations: 2, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' }]),
    };
    const parameterIds = await syncConfig(database.db, cfg);
    // NH3-N 1.5 then 1.8: two breaching hours, so the alert fires at the second.
    const readings = ['1.5', '1.8'].map((value, i) => ({ site: 'JC-SW-WULIANG', parameter: 'nh3_n', period: 'hour' as const, observedAt: `2026-11-20T0${i + 1}:00:00.000Z`, value, unit: 'mg/L', flag: 'N' }));
    const payload = { sourceId: null, readings, rejections: [] };
    // The first attempt: the batch committed, then the worker died before queueing its evaluation.
    await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2026-11-20T03:00:00Z') }, payload);
    const queues = openTestQueues(cfg, database.url, redisUrl() ?? null);
    const service = await startTestService(cfg, () => new Date('2026-11-20T03:00:00Z'));
    try {
      await queues.enqueue(ingestJob, payload);
      const fired = await waitFor('the batch to be evaluated', async () => (await database.db.selectFrom('alert').select(['state', 'fired_at']).execute())[0]);
      expect(fired).toEqual({ state: 'firing', fired_at: new Date('2026-11-20T02:00:00Z') });
    } finally {
      await service.stop();
      await queues.close();
    }
  });

  it('fails a job with a malformed payload at once, without retries', async () => {
    const queues = openTestQueues(config(), database.url, redisUrl() ?? null);
    const service = await startTestService(config(), () => new Date('2026-11-22T05:17:30Z'));
    try {
      const ingestQueue = queues.queues.get('ingest');
      if (!ingestQueue) throw new Error('queue missing');
      // Bypasses enqueue's own schema check, as a foreign or older producer would.
      const job = await ingestQueue.add('ingest', { sourceId: 'x', readings: 'not a list', rejections: [] }, { attempts: 5 });
      // The state first, then the job: a job read before its state check may be a snapshot from while it was
      // still active (attemptsMade 0). Failed is final, so a job read after it is the failed one.
      await waitFor('the job to fail', async () => ((await ingestQueue.getJobState(job.id ?? '')) === 'failed' ? true : null));
      const failed = await ingestQueue.getJob(job.id ?? '');
      if (!failed) throw new Error('failed job missing');
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/^invalid ingest payload: readings: /);
    } finally {
      await service.stop();
      await queues.close();
    }
  });
});

describe('job list', () => {
  it('gives every job a processor, a schema and a distinct queue', () => {
    expect(new Set(jobs.map((j) => j.name)).size).toBe(jobs.length);
    for (const job of jobs) {
      expect(typeof job.process).toBe('function');
      expect(job.payloadSchema.safeParse({}).success).toBe(false);
    }
  });
});
