/**
 * kill -9 of the worker at random moments while it ingests, evaluates and notifies, then a clean run to
 * completion: readings, rolling windows, alerts with their events, the outbox and the deliveries must equal a run
 * without faults over the same input (checksums over stable columns), and every alert transition must reach
 * every recipient, repeated only under the same Message-ID and at most once per kill that fell between the mail
 * server's acceptance and the delivery being marked sent.
 *
 * One storm per stage runs beside the others, each in its own database and queue prefix. The kill schedule comes
 * from a seeded random source (the seed is printed; FAULT_SEED replays it): each cycle waits for a job of the
 * stage, kills the worker a random time into it (up to the time the same job took in the run without faults),
 * records which jobs the kill interrupted, and now and then kills the interrupted job's retry too (a job whose
 * worker dies twice).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { createTestDatabase, uniquePrefix } from '../support/test-database.ts';
import { deleteRedisPrefix } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';
import { startMailSink } from './support/mail-sink.ts';
import { activeSince } from './support/queue-watch.ts';
import { printScenario } from './support/scenario-report.ts';
import { faultSeed, seededRandom, type Random } from './support/seeded-random.ts';
import { compareStates, differences, tableFigures } from './support/stable-state.ts';
import { beijingReadings } from './support/beijing-cells.ts';
import { runWorkload, type Namespace, type RunContext, type RunResult } from './support/workload.ts';

const SLOTS = 20;
const KILLS_PER_STAGE = 10;
const MAX_CYCLES = 60;
/** Chance that the retry of an interrupted job is killed too. */
const RETRY_KILL_CHANCE = 0.4;

const stages = ['ingest', 'evaluate', 'notify'] as const;
type Stage = (typeof stages)[number];
const stageOf = (queue: string): Stage | null => (queue === 'pull' || queue === 'ingest' ? 'ingest' : queue === 'evaluate' || queue === 'notify' ? queue : null);

interface StormStats {
  cycles: number;
  /** Kills that interrupted a job of the stage. */
  landed: Record<Stage, number>;
  /** Kills that interrupted no job (between jobs, or while the worker started). */
  idle: number;
  /** Kills of a job's retry after its worker had already been killed under it. */
  retryKills: number;
  /** Kills after the mail server accepted a message and before its delivery was marked sent. */
  betweenAcceptAndMark: number;
  /** Time spent starting workers and waiting for a job to interrupt, ms. */
  startMs: number;
  waitMs: number;
}

/** A database, queue prefix and mail server of one run; `dispose` removes them. */
async function namespace(): Promise<Namespace & { dispose(): Promise<void> }> {
  const database = await createTestDatabase();
  const prefix = uniquePrefix();
  // The sink takes its time so that a notification run lasts long enough to be interrupted.
  const sink = await startMailSink({ acceptDelayMs: 120 });
  return {
    databaseUrl: database.url,
    redisUrl: inject('redisUrl'),
    prefix,
    sink,
    dispose: async () => {
      await sink.close();
      await database.drop();
      await deleteRedisPrefix(inject('redisUrl'), prefix);
    },
  };
}

let clean: RunResult;
let cleanNamespace: Awaited<ReturnType<typeof namespace>>;
beforeAll(async () => {
  cleanNamespace = await namespace();
  clean = await runWorkload(cleanNamespace, SLOTS);
}, 300_000);
afterAll(async () => {
  await cleanNamespace.dispose();
});

describe('kill -9 of the worker', () => {
  it('the run without faults is a sound reference: every reading of the CSV files, alerts, mail to everyone', () => {
    // Counted from the CSV files themselves: non-NA pollutant cells from 1 January 01:00 to 11 January 00:00.
    expect(clean.state.readings.rows.length).toBe(beijingReadings('2016-01-01T01:00', `2016-01-${String(SLOTS + 1).padStart(2, '0')}T00:00`));
    expect(clean.state.windows.rows.length).toBeGreaterThan(0);
    expect(clean.state.alerts.rows.length).toBeGreaterThan(10);
    expect(clean.failed).toEqual([]);
    // Three recipients take every alert transition.
    expect(clean.mail.owed).toBe(3 * clean.state.outbox.rows.length);
    expect(clean.mail).toMatchObject({ lost: 0, duplicated: 0, repeats: 0, unsent: 0 });
  });

  it(`at random moments during ingest, evaluation and notify (${KILLS_PER_STAGE}+ kills each) loses and duplicates nothing`, async () => {
    // One storm per stage, side by side, each in its own database and queue prefix.
    const seed = faultSeed();
    const storms = await Promise.all(stages.map((stage, i) => storm(stage, seededRandom(seed + i))));
    for (const s of storms) {
      printScenario(`kill -9 of the worker during ${s.stage} (seed ${s.seed})`, {
        cycles: s.stats.cycles,
        [`kills landed in ${s.stage}`]: s.stats.landed[s.stage],
        'kills landed in other stages': stages.filter((x) => x !== s.stage).map((x) => `${x} ${s.stats.landed[x]}`).join(', '),
        'kills between jobs': s.stats.idle,
        'kills of a retry (second death)': s.stats.retryKills,
        'kills between SMTP acceptance and marking sent': s.stats.betweenAcceptAndMark,
        ...tableFigures(s.diff),
        'mails owed / accepted / repeats (same Message-ID)': `${s.result.mail.owed} / ${s.result.mail.accepted} / ${s.result.mail.repeats}`,
        'mail transitions lost / duplicated': `${s.result.mail.lost} / ${s.result.mail.duplicated}`,
        'jobs failed for good': s.result.failed.map((f) => `${f.queue} ${f.id}: ${f.reason}`).join('; ') || 0,
        'mean worker start-up / wait for a job ms': `${Math.round(s.stats.startMs / Math.max(1, s.stats.cycles))} / ${Math.round(s.stats.waitMs / Math.max(1, s.stats.cycles))}`,
        'run time s (clean / with kills)': `${Math.round(clean.ms / 1000)} / ${Math.round(s.result.ms / 1000)}`,
      });
    }
    const verdict = (s: (typeof storms)[number]) => ({
      differences: differences(s.diff),
      workerExits: s.result.unexpectedExits,
      // A failed notification run loses nothing (the outbox keeps the state); any other failed job is lost work.
      failedJobs: s.result.failed.filter((f) => f.queue !== 'notify').map((f) => `${f.queue} ${f.id}: ${f.reason}`),
      mail: { owed: s.result.mail.owed, lost: s.result.mail.lost, duplicated: s.result.mail.duplicated, unsent: s.result.mail.unsent },
      repeatsOnlyAfterKillsBetweenAcceptAndMark: s.result.mail.repeats <= s.stats.betweenAcceptAndMark,
      [`${KILLS_PER_STAGE}+ kills landed`]: s.stats.landed[s.stage] >= KILLS_PER_STAGE,
    });
    const sound = { differences: {}, workerExits: [], failedJobs: [], mail: { owed: clean.mail.owed, lost: 0, duplicated: 0, unsent: 0 }, repeatsOnlyAfterKillsBetweenAcceptAndMark: true, [`${KILLS_PER_STAGE}+ kills landed`]: true };
    expect(Object.fromEntries(storms.map((s) => [s.stage, verdict(s)]))).toEqual(Object.fromEntries(stages.map((stage) => [stage, sound])));
  }, 600_000);
});

/** One workload with kills aimed at one stage, compared with the clean run. */
async function storm(stage: Stage, rng: Random) {
  // A kill falls uniformly within the time the same job took in the run without faults (jobs have the same ids
  // in both runs: the same slots, enqueued in the same order).
  const maxDelay = (job: { queue: string; id: string }) => clean.runTimes.get(`${job.queue}:${job.id}`) ?? 200;
  const stats: StormStats = { cycles: 0, landed: { ingest: 0, evaluate: 0, notify: 0 }, idle: 0, retryKills: 0, betweenAcceptAndMark: 0, startMs: 0, waitMs: 0 };
  const ns = await namespace();
  try {
    const result = await runWorkload(ns, SLOTS, killStorm(stage, rng, maxDelay, stats));
    return { stage, seed: rng.seed, stats, result, diff: compareStates(clean.state, result.state) };
  } finally {
    await ns.dispose();
  }
}

/** The nemesis: kills the worker process, cycle after cycle, until enough kills have landed in `stage`. */
function killStorm(stage: Stage, rng: Random, maxDelay: (job: { queue: string; id: string }) => number, stats: StormStats): (context: RunContext) => Promise<void> {
  return async (context) => {
    const database = connectDatabase(context.ns.databaseUrl, { max: 1 });
    const unmarked = new Set<string>();
    let retryOf: { queue: string; id: string } | null = null;
    try {
      while (!context.done && stats.cycles < MAX_CYCLES) {
        if (stats.landed[stage] >= KILLS_PER_STAGE) return;
        const worker = context.workers.current ?? (await context.workers.start());
        const waiting = Date.now();
        const target = await nextTarget(context, worker.spawnedAt, stage, retryOf);
        stats.waitMs += Date.now() - waiting;
        if (!target) return;
        const isRetry = retryOf !== null && target.id === retryOf.id;
        retryOf = null;
        await new Promise((resolve) => setTimeout(resolve, rng.between(0, maxDelay(target))));
        // The moment drawn fell after the job's end: draw again for the next job rather than kill between jobs.
        if (!(await activeSince(context.queues, worker.spawnedAt)).some((j) => j.queue === target.queue && j.id === target.id)) continue;
        await worker.kill9();
        stats.cycles++;
        if (isRetry) stats.retryKills++;

        const interrupted = await activeSince(context.queues, worker.spawnedAt);
        const hit = new Set(interrupted.flatMap((j) => stageOf(j.queue) ?? []));
        for (const s of hit) stats.landed[s]++;
        if (hit.size === 0) stats.idle++;
        // A message the server accepted whose delivery the dead worker had not marked sent yet will be sent again.
        await waitFor('the mail sink to answer what it received', async () => context.ns.sink.inFlight() === 0, 10_000, 10);
        const marked = new Set((await database.db.selectFrom('notification_delivery').select('message_id').where('status', '=', 'sent').execute()).map((r) => r.message_id));
        const fresh = context.ns.sink.accepted.filter((m) => !marked.has(m.messageId) && !unmarked.has(m.messageId));
        if (fresh.length > 0) stats.betweenAcceptAndMark++;
        for (const m of fresh) unmarked.add(m.messageId);

        const first = interrupted[0];
        if (first && rng.next() < RETRY_KILL_CHANCE) retryOf = first;
        const starting = Date.now();
        await context.workers.start();
        stats.startMs += Date.now() - starting;
      }
    } finally {
      await database.close();
    }
  };
}

/**
 * Waits for the next job to interrupt: the retry of `retryOf` when asked (while that job may still run again),
 * else a job of the stage.
 */
async function nextTarget(context: RunContext, since: number, stage: Stage, retryOf: { queue: string; id: string } | null): Promise<{ queue: string; id: string } | null> {
  let wanted = retryOf;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (context.done) return null;
    if (wanted) {
      const state = await context.queues.queues.get(wanted.queue)?.getJobState(wanted.id);
      if (Date.now() > deadline || state === 'failed' || state === 'completed' || state === 'unknown') wanted = null;
    }
    for (const [name, queue] of context.queues.queues) {
      if (wanted ? name !== wanted.queue : stageOf(name) !== stage) continue;
      if ((await queue.getActiveCount()) === 0) continue;
      const jobs = await activeSince(context.queues, since);
      const job = jobs.find((j) => j.queue === name && (!wanted || j.id === wanted.id));
      if (job) return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}


