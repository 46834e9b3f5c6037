/**
 * Evaluation survives dead workers, on both queue backends:
 * - an `evaluate` job whose worker process is killed (SIGKILL) twice while inside it is taken up again and
 *   finished, not failed for good as "stalled more than allowable limit";
 * - a job that does fail for good leaves its hours marked pending, and the recovery the service runs (at start-up
 *   and every few minutes) finishes them: windows and alerts as the job would have left them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import { recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { evaluateJob, type EvaluatePayload } from '../../jobs/evaluate.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, repoRoot, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const site = 'JC-SW-WULIANG';
const rules = [{ id: 'nh3n-1h', kind: 'threshold', scope: { sites: [site] }, parameter: 'nh3_n', limit: 1.0, clearAt: 0.9, forEvaluations: 2, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' }];
/** Hour ends from 2026-11-20 01:00 UTC. */
const hour = (n: number) => new Date(Date.parse('2026-11-20T00:00:00Z') + n * HOUR_MS);

describe.each(['redis', 'postgres'] as const)('evaluation on the %s queue backend', (backendKind) => {
  let database: TestDatabase;
  let prefix: string;
  let parameterIds: ParameterIds;
  const redisUrl = () => (backendKind === 'redis' ? inject('redisUrl') : null);
  const config = (overrides: Partial<AppConfig> = {}): AppConfig => ({
    ...testConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl() ?? undefined, ENVMON_QUEUE_PREFIX: prefix }),
    sources: [],
    recipients: [],
    rules: ruleSchema.array().parse(rules),
    ...overrides,
  });

  beforeEach(async () => {
    database = await createTestDatabase();
    prefix = uniquePrefix();
    parameterIds = await syncConfig(database.db, config());
  });
  afterEach(async () => {
    await database.drop();
    if (backendKind === 'redis') await deleteRedisPrefix(inject('redisUrl'), prefix);
  });

  /** NH3-N 1.5, 1.8, 2.0 at hours 1–3: pending at 1, fires at 2 (two breaching hours). */
  async function ingest(): Promise<EvaluatePayload> {
    const readings = ['1.5', '1.8', '2.0'].map((value, i) => ({ site, parameter: 'nh3_n', period: 'hour' as const, observedAt: hour(i + 1).toISOString(), value, unit: 'mg/L', flag: 'N' }));
    await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => hour(4) }, { sourceId: null, readings, rejections: [] });
    const [payload] = [...touchedSeries(readings)].map(([s, series]) => ({ site: s, series, marked: true }));
    if (!payload) throw new Error('nothing touched');
    return payload;
  }

  async function expectEvaluated(): Promise<void> {
    const alerts = await database.db.selectFrom('alert').select(['rule_id', 'state', 'first_seen_at', 'fired_at']).execute();
    expect(alerts).toEqual([{ rule_id: 'nh3n-1h', state: 'firing', first_seen_at: hour(1), fired_at: hour(2) }]);
    const siteId = (await database.db.selectFrom('site').select('id').where('code', '=', site).executeTakeFirstOrThrow()).id;
    const expected = await recomputeAggregates(database.db, [{ siteId, parameterId: parameterIds.get('nh3_n') as number, parameter: 'nh3_n' }], hour(1), hour(3));
    const stored = await database.db.selectFrom('window_aggregate').select(['kind', 'window_end', 'valid_count']).where('site_id', '=', siteId).execute();
    expect(stored.map((w) => `${w.kind} ${w.window_end.toISOString()} ${w.valid_count}`).sort()).toEqual(expected.map((w) => `${w.kind} ${w.windowEnd.toISOString()} ${w.validCount}`).sort());
  }

  /** Starts the workers in a process of their own, with short locks so that a dead worker's job is noticed in about a second. */
  async function workerProcess(name: string): Promise<{ child: ChildProcess; exited: Promise<void> }> {
    const options = { databaseUrl: database.url, redisUrl: redisUrl(), prefix, name, lockMs: 1_000, rules };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/worker-process.ts'), JSON.stringify(options)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('ready')) resolve();
      });
      void exited.then(() => reject(new Error(`worker process ${name} exited before it was ready`)));
    });
    return { child, exited };
  }

  it('finishes an evaluate job whose worker was killed twice inside it', async () => {
    const payload = await ingest();
    const siteId = (await database.db.selectFrom('site').select('id').where('code', '=', site).executeTakeFirstOrThrow()).id;
    const queues = openTestQueues(config(), database.url, redisUrl());
    const gate = new pg.Client({ connectionString: database.url, application_name: 'test-gate' });
    await gate.connect();
    const children: ChildProcess[] = [];
    try {
      // Every window refresh of the site takes this lock: holding it keeps a worker inside the job until killed.
      await gate.query(`select pg_advisory_lock(hashtext('envmon_aggregate'), $1)`, [siteId]);
      await queues.enqueue(evaluateJob, payload);
      for (const name of ['worker-1', 'worker-2']) {
        const worker = await workerProcess(name);
        children.push(worker.child);
        await waitFor(`${name} to be inside the job`, async () => (await gate.query(`select 1 from pg_stat_activity where application_name = $1 and wait_event = 'advisory'`, [name])).rowCount === 1);
        worker.child.kill('SIGKILL');
        await worker.exited;
        // The server notices a dead client only when it next talks to it; end the orphaned session, as it would.
        await gate.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [name]);
      }
      await gate.query(`select pg_advisory_unlock(hashtext('envmon_aggregate'), $1)`, [siteId]);
      const survivor = await workerProcess('worker-3');
      children.push(survivor.child);
      const evaluateQueue = queues.queues.get('evaluate');
      if (!evaluateQueue) throw new Error('no evaluate queue');
      const finished = await waitFor('the job to complete or fail', async () => {
        const [job] = await evaluateQueue.getJobs(['completed', 'failed']);
        return job ? { state: await job.getState(), reason: job.failedReason } : null;
      });
      expect(finished).toEqual({ state: 'completed', reason: undefined });
      await expectEvaluated();
      survivor.child.kill('SIGTERM');
      await survivor.exited;
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await gate.end();
      await queues.close();
    }
  });

  it('leaves the hours of a job that failed for good pending, and the recovery at start-up finishes them', async () => {
    const payload = await ingest();
    // Every alert write fails: the job fails its two attempts for good.
    await sql`create function envmon_test_fail() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(database.db);
    await sql`create trigger fail_alert_writes before insert or update on alert for each statement execute function envmon_test_fail()`.execute(database.db);
    const failing = config({ queues: { concurrency: 1, attempts: 2, backoffMs: 100 } });
    const queues = openTestQueues(failing, database.url, redisUrl());
    try {
      await queues.enqueue(evaluateJob, payload);
      const service = await startTestService(failing, () => hour(4));
      try {
        const evaluateQueue = queues.queues.get('evaluate');
        await waitFor('the job to fail for good', async () => (await evaluateQueue?.getJobCounts('failed'))?.failed === 1);
      } finally {
        await service.stop();
      }
    } finally {
      await queues.close();
    }
    const pending = await database.db.selectFrom('windows_pending').select(['span_from', 'span_to', 'run_rules']).execute();
    expect(pending).toEqual([{ span_from: hour(0), span_to: hour(3), run_rules: true }]);

    // The cause is fixed and time passes; the next start of the service finds the hours left behind.
    await sql`drop trigger fail_alert_writes on alert`.execute(database.db);
    await sql`update windows_pending set created_at = created_at - interval '1 hour'`.execute(database.db);
    const service = await startTestService(config(), () => new Date(hour(4).getTime() + 10 * 60_000));
    try {
      await waitFor('the pending hours to be finished', async () => (await database.db.selectFrom('windows_pending').select('id').execute()).length === 0);
    } finally {
      await service.stop();
    }
    await expectEvaluated();
  });
});
