/**
 * The fault tier's workload: the Beijing stations of January 2016, pulled day by day through real queues by
 * `envmon start` worker processes, each day's pull followed by a notification run. The test drives the slots
 * one after another (the next is enqueued once the queues are idle), so a run without faults and a run with them
 * see the same work in the same order; only the faults differ. A fault (the "nemesis") runs beside the driver:
 * it may kill workers, restart servers, stop the mail server.
 *
 * At the end, a clean run to completion: a worker in this process whose clock is two hours ahead, so that
 * deliveries reserved by a killed notification run (a lease of minutes) are due again, recovers what the killed
 * workers left and sends what is still owed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../../../config/load-config.ts';
import { connectDatabase } from '../../../db/connect.ts';
import { notifyJob } from '../../../jobs/notify.ts';
import { pullJob } from '../../../jobs/pull.ts';
import { HOUR_MS } from '../../../lib/time.ts';
import type { Queues } from '../../../workers/enqueue.ts';
import { openTestQueues, repoRoot, startTestService, testConfig } from '../../support/test-service.ts';
import { waitFor } from '../../support/wait-for.ts';
import { spawnEnvmon, type EnvmonProcess } from './envmon-process.ts';
import { mailLedger, type MailLedger } from './mail-ledger.ts';
import type { MailSink } from './mail-sink.ts';
import { failedJobs, queuesIdle, runTimes } from './queue-watch.ts';
import { stableState, type StableState } from './stable-state.ts';

export const faultConfigFile = path.join(repoRoot, 'test/faults/fixtures/beijing-2016.yaml');
export const sourceId = 'beijing-2016';
/** The first slot: Beijing midnight of 2 January 2016, whose pull reaches back over 1 January. */
const FIRST_SLOT = Date.parse('2016-01-02T00:00:00+08:00');
const SLOT_STEP_MS = 24 * HOUR_MS;

/** The i-th slot of the workload (ISO): a day of data per slot. */
export function slotTime(i: number): string {
  return new Date(FIRST_SLOT + i * SLOT_STEP_MS).toISOString();
}

/** How long the driver waits for the queues to empty after one step; generous, faults slow things down. */
const STEP_TIMEOUT_MS = 180_000;

export interface Namespace {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly sink: MailSink;
  /** A configuration file read after the fault tier's own (e.g. other queue settings). */
  readonly extraConfig?: string;
}

export function workerEnv(ns: Namespace, varDir: string, role: 'worker' | 'scheduler' = 'worker'): Record<string, string> {
  return {
    DATABASE_URL: ns.databaseUrl,
    REDIS_URL: ns.redisUrl,
    ENVMON_CONFIG: ns.extraConfig ? `${faultConfigFile},${ns.extraConfig}` : faultConfigFile,
    ENVMON_QUEUE_PREFIX: ns.prefix,
    ENVMON_ROLE: role,
    ENVMON_VAR_DIR: varDir,
    ENVMON_SMTP_URL: ns.sink.url,
    ENVMON_LOG_LEVEL: 'info',
  };
}

export function namespaceConfig(ns: Namespace, varDir: string): AppConfig {
  return testConfig(workerEnv(ns, varDir));
}

/** The worker process of a run: at most one at a time, replaced after a kill. */
export class WorkerSlot {
  current: EnvmonProcess | null = null;
  starts = 0;
  /** Exits the test did not cause, with the end of the process's log. */
  readonly unexpectedExits: string[] = [];
  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<EnvmonProcess> {
    const worker = spawnEnvmon(['start'], this.env);
    this.current = worker;
    this.starts++;
    void worker.exited.then((code) => {
      if (!worker.endedByTest) this.unexpectedExits.push(`pid ${worker.pid} exited with ${code}: ${worker.output().slice(-2000)}`);
    });
    await worker.ready();
    return worker;
  }

  async stop(): Promise<void> {
    const worker = this.current;
    this.current = null;
    if (worker) await worker.stop();
  }
}

export interface RunContext {
  readonly ns: Namespace;
  readonly queues: Queues;
  readonly workers: WorkerSlot;
  /** Set once the driver has gone through every slot: the nemesis stops. */
  done: boolean;
}

export interface RunResult {
  state: StableState;
  mail: MailLedger;
  failed: { queue: string; id: string; reason: string }[];
  /** How long each completed job ran, ms, by `queue:id`. */
  runTimes: Map<string, number>;
  workerStarts: number;
  /** Worker processes that ended on their own (crashed, gave up) during the run. */
  unexpectedExits: string[];
  /** The end of the last worker's log, for a failure message. */
  workerLog: string;
  ms: number;
}

/** Drives `slots` days through the pipeline with `nemesis` beside it, then the clean run; returns what is left. */
export async function runWorkload(ns: Namespace, slots: number, nemesis?: (context: RunContext) => Promise<void>): Promise<RunResult> {
  const started = Date.now();
  const varDir = mkdtempSync(path.join(tmpdir(), 'envmon-faults-'));
  const config = namespaceConfig(ns, varDir);
  const queues = openTestQueues(config, ns.databaseUrl, ns.redisUrl);
  // While a server is down the test's own queue clients fail and reconnect; the driver retries (driveStep).
  for (const queue of queues.queues.values()) queue.on('error', () => undefined);
  const workers = new WorkerSlot(workerEnv(ns, varDir));
  const context: RunContext = { ns, queues, workers, done: false };
  let chaos: Promise<void> = Promise.resolve();
  try {
    await workers.start();
    chaos = nemesis ? nemesis(context) : Promise.resolve();
    // The nemesis's failure must end the run, not wait for the driver's timeouts.
    const chaosFailed = chaos.then(() => new Promise<never>(() => undefined));
    for (let i = 0; i < slots; i++) {
      const slot = slotTime(i);
      await Promise.race([driveStep(queues, () => queues.enqueue(pullJob, { sourceId, slot }), `the pull of ${slot}`), chaosFailed]);
      await Promise.race([driveStep(queues, () => queues.enqueue(notifyJob, { slot }), `the notification run of ${slot}`), chaosFailed]);
    }
    context.done = true;
    await chaos;
    const workerLog = workers.current?.output().slice(-20_000) ?? '';
    await workers.stop();

    // The clean run to completion.
    const clean = await startTestService(config, () => new Date(Date.now() + 2 * HOUR_MS));
    try {
      await driveStep(queues, () => queues.enqueue(notifyJob, { slot: slotTime(slots) }), 'the clean run');
    } finally {
      await clean.stop();
    }
    const database = connectDatabase(ns.databaseUrl, { max: 2 });
    try {
      const emailOf = new Map(config.recipients.flatMap((r) => (r.email ? [[r.id, r.email] as const] : [])));
      return {
        state: await stableState(database.db),
        mail: await mailLedger(database.db, ns.sink.accepted, emailOf),
        failed: await failedJobs(queues),
        runTimes: await runTimes(queues),
        workerStarts: workers.starts,
        unexpectedExits: workers.unexpectedExits,
        workerLog,
        ms: Date.now() - started,
      };
    } finally {
      await database.close();
    }
  } catch (error) {
    // What the worker said is usually the explanation.
    const log = workers.current?.output().slice(-6000) ?? '(no worker running)';
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- the worker's log, last lines:\n${log}`, { cause: error });
  } finally {
    context.done = true;
    await chaos.catch(() => undefined);
    await workers.current?.kill9();
    await queues.close();
    rmSync(varDir, { recursive: true, force: true });
  }
}

/**
 * Enqueues one step and waits until every queue is idle again. The test's own queue client rides out a server
 * restart like envmon's: a failed call is tried again until the step's deadline.
 */
export async function driveStep(queues: Queues, enqueue: () => Promise<void>, what: string): Promise<void> {
  const attempt = async <T>(call: () => Promise<T>): Promise<T | false> => call().catch(() => false as const);
  await waitFor(`${what} to be enqueued`, async () => (await attempt(enqueue)) !== false, STEP_TIMEOUT_MS, 200);
  await waitFor(`${what} to be done (queues idle)`, async () => (await attempt(() => queuesIdle(queues))) === true, STEP_TIMEOUT_MS, 50);
}
