/**
 * Redis and PostgreSQL restarted under load: while a worker process runs jobs, the server it uses is killed and,
 * a few seconds later, started again on the same port. The worker must carry on by itself — the same process,
 * resuming within 30 s of the server's return — and, after the clean run, leave exactly what a run without
 * outages leaves. The servers are private ones on free ports, never the shared ones.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { admin } from '../support/postgres-server.ts';
import { createTestDatabase, uniquePrefix } from '../support/test-database.ts';
import { deleteRedisPrefix, repoRoot } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';
import { startMailSink } from './support/mail-sink.ts';
import { startPrivatePostgres } from './support/private-postgres.ts';
import { startPrivateRedis } from './support/private-redis.ts';
import { printScenario } from './support/scenario-report.ts';
import { faultSeed, seededRandom, type Random } from './support/seeded-random.ts';
import { compareStates, differences, tableFigures } from './support/stable-state.ts';
import { runWorkload, type Namespace, type RunContext, type RunResult } from './support/workload.ts';

const SLOTS = 8;
const RESTARTS = 3;
/** What an installation may expect: after the server is back, jobs complete again within this. */
const RESUME_WITHIN_MS = 30_000;
const productionLocks = path.join(repoRoot, 'test/faults/fixtures/production-locks.yaml');

interface Outage {
  /** Jobs running when the server went down. */
  during: string;
  downMs: number;
  /** From the server answering again to the first job completed after it. */
  resumedMs: number;
}

let clean: RunResult;
let disposeClean: () => Promise<void>;
beforeAll(async () => {
  const database = await createTestDatabase();
  const prefix = uniquePrefix();
  const sink = await startMailSink();
  disposeClean = async () => {
    await sink.close();
    await database.drop();
    await deleteRedisPrefix(inject('redisUrl'), prefix);
  };
  clean = await runWorkload({ databaseUrl: database.url, redisUrl: inject('redisUrl'), prefix, sink, extraConfig: productionLocks }, SLOTS);
}, 300_000);
afterAll(async () => {
  await disposeClean();
});

describe('servers restarted under load', () => {
  it(`Redis killed and started again ${RESTARTS} times: the worker resumes by itself and nothing is lost`, async () => {
    const redis = await startPrivateRedis();
    const database = await createTestDatabase();
    const sink = await startMailSink();
    const rng = seededRandom(faultSeed());
    const outages: Outage[] = [];
    try {
      const ns: Namespace = { databaseUrl: database.url, redisUrl: redis.url, prefix: uniquePrefix(), sink, extraConfig: productionLocks };
      const run = await runWorkload(ns, SLOTS, restarts(rng, outages, { down: () => redis.kill(), up: () => redis.start() }));
      report(`Redis restarted under load (seed ${rng.seed})`, outages, run);
      expect(verdict(run, outages), run.workerLog).toEqual(sound());
    } finally {
      await sink.close();
      await database.drop();
      await redis.destroy();
    }
  }, 300_000);

  it(`PostgreSQL stopped (fast, then immediate) and started again ${RESTARTS} times: the worker resumes by itself and nothing is lost`, async () => {
    const postgres = await startPrivatePostgres();
    const sink = await startMailSink();
    const prefix = uniquePrefix();
    const rng = seededRandom(faultSeed());
    const outages: Outage[] = [];
    try {
      await admin(postgres.adminUrl, 'create database envmon_outage');
      const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/envmon_outage');
      const migrating = connectDatabase(databaseUrl, { max: 1 });
      await migrateToLatest(migrating.db).finally(() => migrating.close());
      const ns: Namespace = { databaseUrl, redisUrl: inject('redisUrl'), prefix, sink, extraConfig: productionLocks };
      let n = 0;
      // The first stop is PostgreSQL's fast shutdown (sessions cut, as in a restart); the others are crashes.
      const run = await runWorkload(ns, SLOTS, restarts(rng, outages, { down: () => postgres.stop(n++ === 0 ? 'fast' : 'immediate'), up: () => postgres.start() }));
      report(`PostgreSQL restarted under load (seed ${rng.seed})`, outages, run);
      expect(verdict(run, outages), run.workerLog).toEqual(sound());
    } finally {
      await sink.close();
      await deleteRedisPrefix(inject('redisUrl'), prefix);
      await postgres.destroy();
    }
  }, 300_000);
});

/**
 * The nemesis: `RESTARTS` times, once a job is running (a different stage each time when it can), takes the server
 * down for 1–4 s, brings it back, and measures how long until a job completes again.
 */
function restarts(rng: Random, outages: Outage[], server: { down(): Promise<void>; up(): Promise<void> }): (context: RunContext) => Promise<void> {
  return async (context) => {
    const wanted = ['pull', 'evaluate', 'notify'];
    for (let i = 0; i < RESTARTS && !context.done; i++) {
      const stage = wanted[i % wanted.length] ?? 'pull';
      const running = await waitFor(`a running ${stage} job`, async () => {
        if (context.done) return 'none';
        const queue = context.queues.queues.get(stage);
        return queue && (await queue.getActiveCount()) > 0 ? stage : null;
      }, 120_000, 5);
      if (running === 'none') return;
      const downMs = rng.between(1000, 4000);
      await server.down();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await server.up();
      const back = Date.now();
      const resumed = await waitFor(`a job to complete after the server came back`, async () => {
        for (const queue of context.queues.queues.values()) {
          const latest = await queue.getCompleted(0, 0).catch(() => []);
          if ((latest[0]?.finishedOn ?? 0) >= back) return Date.now();
        }
        return null;
      }, RESUME_WITHIN_MS + 60_000, 50);
      outages.push({ during: running, downMs, resumedMs: resumed - back });
    }
  };
}

function verdict(run: RunResult, outages: readonly Outage[]) {
  return {
    differences: differences(compareStates(clean.state, run.state)),
    failedJobs: run.failed.filter((f) => f.queue !== 'notify').map((f) => `${f.queue} ${f.id}: ${f.reason}`),
    mail: { owed: run.mail.owed, lost: run.mail.lost, duplicated: run.mail.duplicated, unsent: run.mail.unsent },
    workerProcesses: run.workerStarts,
    workerExits: run.unexpectedExits,
    outages: outages.length,
    resumedWithin30s: outages.every((o) => o.resumedMs <= RESUME_WITHIN_MS),
  };
}

function sound() {
  return { differences: {}, failedJobs: [], mail: { owed: clean.mail.owed, lost: 0, duplicated: 0, unsent: 0 }, workerProcesses: 1, workerExits: [], outages: RESTARTS, resumedWithin30s: true };
}

function report(title: string, outages: readonly Outage[], run: RunResult): void {
  const diff = compareStates(clean.state, run.state);
  printScenario(title, {
    restarts: outages.map((o) => `during ${o.during}: down ${(o.downMs / 1000).toFixed(1)} s, jobs completing again ${(o.resumedMs / 1000).toFixed(1)} s after`).join('; '),
    'worker processes started': run.workerStarts,
    'worker exits of its own': run.unexpectedExits.length,
    ...tableFigures(diff, ['readings', 'windows', 'alerts', 'alert_events', 'outbox', 'deliveries']),
    'mail transitions lost / duplicated / repeats': `${run.mail.lost} / ${run.mail.duplicated} / ${run.mail.repeats}`,
    'jobs failed for good': run.failed.map((f) => `${f.queue} ${f.id}: ${f.reason}`).join('; ') || 0,
    'run time s (clean / with restarts)': `${Math.round(clean.ms / 1000)} / ${Math.round(run.ms / 1000)}`,
  });
}


