/**
 * bench:grid — the county's grid live: 720 micro-stations × 6 pollutants send HJ 212 CN 2011 real-time samples every
 * simulated minute (plus the national station, which also sends its own hourly values, and four river sections with
 * hourly CN 2061 water data) over loopback TCP to envmon's own listener, workers and scheduler, each a process of
 * its own (bench/grid-process.ts) on a scratch database, a Redis queue prefix of its own and an in-process SMTP server.
 *
 * Time: the processes run on a simulated clock, `--speed` times real time (default 10: 30 simulated minutes take 3
 * real minutes); the samples of simulated minute k are sent when the simulated clock reaches it. The pipeline's own
 * time-based steps read that clock (the hour a minute belongs to, whether an hour has ended, groupSeconds), while
 * its cron schedule (the per-minute notify and derive runs, the safety net) ticks on real minutes, so at 10× the net
 * runs every 10 simulated minutes: everything measured here is driven by the data itself, as it must be live.
 * The first 35 minutes of the watched hour are stored directly before the run, so that the hour ending 12:00 Beijing
 * time has its 60 minutes when the run crosses it; its alerts are then mailed. Latencies are real seconds from the
 * moment the hour's data were complete (its last sample received and the hour ended: the 12:00 samples are sent
 * the instant the simulated clock reaches 12:00) to the evaluation that fired the alert having committed, and to
 * the SMTP server accepting the mail.
 *
 * Then a speed-up search plays a few minutes at each factor of `--search` until a backlog appears: a backlog is a
 * minute of samples not all stored one simulated minute after it was sent.
 *
 * `--workers N --schedulers M` runs N worker and M scheduler processes: each ingest job must complete once across
 * them, each minute value be stored once, each alert mailed in exactly one message.
 *
 * Bounded: `--stations` ≤ 2,000, speeds ≤ 1,000×, the whole run ≤ `--max-seconds` (default 900); loopback only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../config/load-config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { syncConfig } from '../db/sync-config.ts';
import type { NormalizedReading } from '../ingest/normalize.ts';
import { storeBatch } from '../ingest/store-batch.ts';
import { freePort } from '../lib/free-port.ts';
import { createLogger } from '../lib/logger.ts';
import { createQueues } from '../workers/enqueue.ts';
import { createQueueBackend } from '../workers/queue-backend.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';
import { startSmtpSink, type SmtpSink } from '../test/support/smtp-sink.ts';
import { deleteRedisPrefix } from '../test/support/test-service.ts';
import { connectStations, type Generator } from './grid-generator.ts';
import type { FromChild, GridClock, GridRole, ToChild, WorkerReport } from './grid-process.ts';
import { AIR, airValue, breaches, countyConfig, countyStations, hourlyFrame, realTimeFrame, type Station } from './grid-stations.ts';
import { percentiles, printLatencies, type Sample } from './grid-figures.ts';

const { values: args } = parseArgs({
  options: {
    speed: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '30' },
    search: { type: 'string', default: '20,40,80,160' },
    'search-minutes': { type: 'string', default: '4' },
    workers: { type: 'string', default: '1' },
    schedulers: { type: 'string', default: '1' },
    stations: { type: 'string', default: '720' },
    'group-seconds': { type: 'string', default: '2' },
    'max-seconds': { type: 'string', default: '900' },
  },
});
const bounded = (name: string, value: string | undefined, min: number, max: number): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}`);
  return n;
};
const SPEED = bounded('speed', args.speed, 1, 1000);
const MINUTES = bounded('minutes', args.minutes, 30, 120);
const SEARCH = (args.search ?? '').split(',').filter(Boolean).map((s) => bounded('search', s, 1, 1000));
const SEARCH_MINUTES = bounded('search-minutes', args['search-minutes'], 2, 30);
const WORKERS = bounded('workers', args.workers, 1, 8);
const SCHEDULERS = bounded('schedulers', args.schedulers, 1, 4);
const STATIONS = bounded('stations', args.stations, 1, 2000);
const GROUP_SECONDS = bounded('group-seconds', args['group-seconds'], 0, 3600);
const DEADLINE = Date.now() + bounded('max-seconds', args['max-seconds'], 60, 3600) * 1000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** The hour watched: 11:00–12:00 Beijing time; its first 35 minutes are stored before the run, the run starts at 11:35. */
const HOUR_END = Date.parse('2026-11-20T04:00:00Z');
const PREFILLED = 35;
const RUN_START = HOUR_END - HOUR_MS + PREFILLED * MINUTE_MS;
const root = path.resolve(import.meta.dirname, '..');
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });
const out = (line: string) => process.stdout.write(line + '\n');
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now())));
const checkDeadline = () => {
  if (Date.now() > DEADLINE) throw new Error('bench:grid ran past --max-seconds');
};

interface Child {
  role: GridRole;
  process: ChildProcess;
  ready: Promise<Record<string, number>>;
}

function startChild(role: GridRole, env: NodeJS.ProcessEnv, clock: GridClock): Child {
  const child = fork(path.join(import.meta.dirname, 'grid-process.ts'), [role, JSON.stringify(clock)], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<Record<string, number>>((resolve, reject) => {
    child.on('message', (m: FromChild) => m.type === 'ready' && resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
  return { role, process: child, ready };
}

const tell = (children: readonly Child[], message: ToChild) => children.forEach((c) => c.process.send(message));

function askReport(child: Child): Promise<WorkerReport> {
  return new Promise((resolve) => {
    const on = (m: FromChild) => {
      if (m.type !== 'report') return;
      child.process.off('message', on);
      resolve(m.report);
    };
    child.process.on('message', on);
    child.process.send({ type: 'report' } satisfies ToChild);
  });
}

/** Peak and current resident set of a process, MB, from /proc. */
function rss(pid: number | undefined): { peak: number; now: number } {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

async function measure(database: DatabaseHandle & { url: string }): Promise<void> {
  const sink = await startSmtpSink();
  const prefix = `envmon-bench-grid-${randomBytes(4).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stations = countyStations(STATIONS);
  const port = await freePort();
  const county = countyConfig(stations, { port, groupSeconds: GROUP_SECONDS, packetsPerMinute: 1000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-grid-'));
  writeFileSync(path.join(dir, 'county.yaml'), county.yaml);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    ENVMON_QUEUE_PREFIX: prefix,
    ENVMON_CONFIG: path.join(dir, 'county.yaml'),
    ENVMON_SMTP_URL: sink.url,
    ENVMON_HTTP_PORT: 'off',
    ENVMON_VAR_DIR: dir,
    ...county.env,
  };
  const config = loadConfig(env, root);
  const parameterIds = await syncConfig(database.db, config);
  const minuteStations = stations.filter((s) => s.kind !== 'section');
  out(`bench:grid — ${STATIONS} grid stations × ${AIR.length} pollutants (CN 2011 every minute), 1 national station (+ CN 2061), 4 river sections (CN 2061); ${WORKERS} worker / ${SCHEDULERS} scheduler process(es), Redis queues, groupSeconds ${GROUP_SECONDS}`);
  out(`rules: PM2.5 1-h > 115 μg/m³ (HJ 633-2012 Table 1 IAQI 150) on air sites, NH3-N 1-h > 1.0 mg/L (GB 3838-2002 class III) on sections; ${stations.filter(breaches).length} sites breach`);

  // The hour's first 35 minutes, stored as the ingest job stores them.
  let t = performance.now();
  const storeDeps = { db: database.db, pool: database.pool, parameterIds, partitions: new Set<string>(), now: () => new Date(RUN_START) };
  for (let m = 0; m < PREFILLED; m++) {
    const at = HOUR_END - HOUR_MS + m * MINUTE_MS;
    const readings: NormalizedReading[] = minuteStations.flatMap((s) => {
      const i = stations.indexOf(s);
      return AIR.map(([parameter], p) => ({ site: s.code, parameter, period: 'minute' as const, observedAt: new Date(at).toISOString(), value: airValue(i, p, Math.floor(at / MINUTE_MS), breaches(s, i)), unit: parameter === 'co' ? 'mg/m³' : 'μg/m³', flag: 'N', intervalMinutes: 0 }));
    });
    await storeBatch(storeDeps, { sourceId: 'county-hj212', readings, rejections: [] });
  }
  out(`prefill: ${PREFILLED} minutes × ${minuteStations.length * AIR.length} series stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const startClock: GridClock = { simMs: RUN_START - MINUTE_MS, realMs: Date.now(), speed: 1 };
  const children = [
    startChild('listener', env, startClock),
    ...Array.from({ length: WORKERS }, () => startChild('worker', env, startClock)),
    ...Array.from({ length: SCHEDULERS }, () => startChild('scheduler', env, startClock)),
  ];
  const backend = createQueueBackend({ redisUrl, databaseUrl: database.url, prefix });
  const queues = createQueues(backend, config);
  let generator: Generator | null = null;
  try {
    t = performance.now();
    const [ports] = await Promise.all(children.map((c) => c.ready));
    out(`processes ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    generator = await connectStations(stations, ports?.['county-hj212'] ?? port);
    await runAll({ database, sink, stations, generator, children, queues: queues.queues });
  } finally {
    generator?.close();
    tell(children, { type: 'stop' });
    await Promise.all(children.map((c) => new Promise((resolve) => (c.process.exitCode !== null ? resolve(null) : c.process.once('exit', resolve)))));
    await queues.close();
    await backend.close();
    await sink.close();
    await deleteRedisPrefix(redisUrl, prefix);
  }
}

interface Run {
  database: DatabaseHandle;
  sink: SmtpSink;
  stations: Station[];
  generator: Generator;
  children: Child[];
  queues: ReadonlyMap<string, import('bullmq').Queue>;
}

async function runAll(run: Run): Promise<void> {
  const { database, generator, children, stations } = run;
  const minuteStations = stations.map((s, i) => [s, i] as const).filter(([s]) => s.kind !== 'section');
  const perMinute = minuteStations.length * AIR.length;
  const storedMinutes = async () => Number((await sql<{ n: string }>`select count(*) as n from minute_reading`.execute(database.db)).rows[0]?.n ?? 0);
  const base = await storedMinutes();
  let sent = 0;
  let framesSent = 0;
  const depth = async () => {
    const c = async (name: string, states: ('waiting' | 'active' | 'delayed')[]) => Object.values((await run.queues.get(name)?.getJobCounts(...states)) ?? {}).reduce((a, b) => a + b, 0);
    return { ingest: await c('ingest', ['waiting', 'active']), derive: await c('derive-minute-hours', ['waiting', 'active']), evaluate: await c('evaluate', ['waiting', 'active']), notify: await c('notify', ['waiting', 'active']) };
  };
  const samples: Sample[] = [];
  let clock: GridClock = { simMs: RUN_START, realMs: 0, speed: SPEED };
  const simNow = () => clock.simMs + (Date.now() - clock.realMs) * clock.speed;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = { at: Date.now(), sim: simNow(), stored: (await storedMinutes()) - base, sent, acked: generator.acked(), ...(await depth()) };
      samples.push(s);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  })();
  try {
    await playAll();
  } finally {
    sampling = false;
    await sampler.catch(() => undefined);
  }

  async function playAll(): Promise<void> {

    /** Plays `minutes` simulated minutes from `simStart` at `speed`; returns when the last samples were sent and the backlog checks. */
    const play = async (simStart: number, minutes: number, speed: number, onHourEnd?: (realMs: number) => void) => {
      clock = { simMs: simStart, realMs: Date.now() + 1_000, speed };
      tell(children, { type: 'clock', clock });
      const behind: number[] = [];
      for (let k = 0; k < minutes; k++) {
        checkDeadline();
        const sim = simStart + k * MINUTE_MS;
        await sleepUntil(clock.realMs + (k * MINUTE_MS) / speed);
        if (k > 0) behind.push(sent - ((await storedMinutes()) - base));
        const frames: [number, string][] = minuteStations.map(([s, i]) => [i, realTimeFrame(s, i, sim, breaches(s, i))]);
        if (sim % HOUR_MS === 0) {
          onHourEnd?.(Date.now());
          for (const [i, s] of stations.entries()) if (s.kind !== 'grid') frames.push([i, hourlyFrame(s, i, sim - HOUR_MS, breaches(s, i))]);
        }
        sent += perMinute;
        framesSent += frames.length;
        await generator.send(frames);
      }
      // One simulated minute after the last samples: were they all stored?
      await sleepUntil(clock.realMs + (minutes * MINUTE_MS) / speed);
      behind.push(sent - ((await storedMinutes()) - base));
      return { behind, endSim: simStart + minutes * MINUTE_MS, startedAt: clock.realMs };
    };
    const drain = async (what: string, timeoutMs: number) => {
      const until = Date.now() + timeoutMs;
      while ((await storedMinutes()) - base < sent || generator.acked() < framesSent) {
        if (Date.now() > until) {
          out(`  ${what}: not drained within ${timeoutMs / 1000} s (${sent - ((await storedMinutes()) - base)} readings, ${framesSent - generator.acked()} frames outstanding)`);
          return Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return Date.now();
    };

    // The main run.
    let hourEndAt = 0;
    const main = await play(RUN_START, MINUTES, SPEED, (at) => (hourEndAt = at));
    const drained = await drain('main run', 120_000);
    const seconds = (drained - main.startedAt) / 1000;
    const backlogMain = main.behind.at(-1) ?? 0;
    const expectedAlerts = stations.filter(breaches).length;
    const alerts = async () =>
      (
        await sql<{ code: string; message_id: string | null }>`
          select s.code, d.message_id from alert a join site s on s.id = a.site_id
          left join notification_outbox o on o.alert_id = a.id and o.kind = 'alert'
          left join notification_delivery d on d.outbox_id = o.id and d.status = 'sent'`.execute(database.db)
      ).rows;
    const mailUntil = Date.now() + 120_000;
    while ((await alerts()).filter((a) => a.message_id).length < expectedAlerts && Date.now() < mailUntil) await new Promise((resolve) => setTimeout(resolve, 250));
    out(`queue depth (waiting+active) over the main run, every ~10 s real:`);
    for (const s of samples.filter((_, i) => i % 5 === 0)) out(`  +${((s.at - main.startedAt) / 1000).toFixed(0).padStart(4)} s  sim ${new Date(s.sim + 8 * HOUR_MS).toISOString().slice(11, 16)}  ingest ${s.ingest}  derive ${s.derive}  evaluate ${s.evaluate}  notify ${s.notify}  stored ${s.stored}/${s.sent}`);

    const reports = await Promise.all(children.filter((c) => c.role === 'worker').map(askReport));
    const commits = new Map<string, number>();
    for (const r of reports) for (const [site, at] of r.alertCommits) if (!commits.has(site) || (commits.get(site) ?? 0) > at) commits.set(site, at);
    const mailAt = new Map(run.sink.accepted().map((m) => [m.messageId, m.repliedAt]));
    const rows = await alerts();
    out(`main run at ${SPEED}× (${MINUTES} simulated minutes in ${seconds.toFixed(1)} s real):`);
    out(`  frames accepted: ${framesSent} (${generator.acked()} acknowledged), ${(generator.acked() / seconds).toFixed(1)} frames/s; readings stored: ${sent}, ${(sent / seconds).toFixed(0)} readings/s (offered ${((perMinute * SPEED) / 60).toFixed(0)}/s)`);
    out(`  backlog: ${backlogMain === 0 ? 'none' : `${backlogMain} readings not stored a simulated minute after the last samples`} (behind at each minute: max ${Math.max(...main.behind)})`);
    printLatencies(out, rows, hourEndAt, commits, mailAt, expectedAlerts);
    for (const [started, finished, hours, sites] of reports.flatMap((r) => r.derivations).sort((a, b) => a[0] - b[0])) {
      out(`  derivation: +${((started - hourEndAt) / 1000).toFixed(1)} s → +${((finished - hourEndAt) / 1000).toFixed(1)} s after the hour's end, ${hours} hours derived, ${sites} sites evaluated`);
    }
    const rssLine = children.map((c) => `${c.role} ${rss(c.process.pid).peak.toFixed(0)} MB`).join(', ');
    out(`  peak RSS: ${rssLine}`);
    checkOnce(reports, framesSent, sent, run, rows);

    // The speed-up search, continuing the simulated timeline.
    let simAt = main.endSim;
    let backlogAt: number | null = backlogMain > 0 ? SPEED : null;
    for (const speed of backlogAt === null ? SEARCH : []) {
      const before = (await storedMinutes()) - base;
      const step = await play(simAt, SEARCH_MINUTES, speed);
      const stepSeconds = (Date.now() - step.startedAt) / 1000;
      const storedInStep = (await storedMinutes()) - base - before;
      const late = step.behind.at(-1) ?? 0;
      out(`  ${String(speed).padStart(4)}×: offered ${((perMinute * speed) / 60).toFixed(0)} readings/s, stored ${(storedInStep / stepSeconds).toFixed(0)}/s; ${late > 0 ? `backlog (${late} readings still queued a simulated minute after the last samples)` : 'no backlog'}`);
      await drain(`${speed}×`, 180_000);
      simAt = step.endSim;
      if (late > 0) {
        backlogAt = speed;
        break;
      }
    }
    const p95 = percentiles(rows.flatMap((r) => (r.message_id && mailAt.has(r.message_id) ? [((mailAt.get(r.message_id) ?? 0) - hourEndAt) / 1000] : []))).p95;
    out(`grid p95 received→mail: ${p95.toFixed(1)} s, backlog at: ${backlogAt === null ? `> ${Math.max(SPEED, ...SEARCH)}` : backlogAt}× real cadence`);
  }
}

/** Nothing processed twice: every ingest job once across the workers, every minute once, every alert in one message. */
function checkOnce(reports: WorkerReport[], frames: number, readings: number, run: Run, rows: { code: string; message_id: string | null }[]): void {
  const ids = reports.flatMap((r) => r.completed.ingest ?? []);
  const twice = ids.length - new Set(ids).size;
  const minutes = reports.reduce((a, r) => a + r.minutesStored, 0);
  const derives = reports.flatMap((r) => r.completed['derive-minute-hours'] ?? []);
  const messageIds = run.sink.accepted().map((m) => m.messageId);
  const perWorker = reports.map((r) => (r.completed.ingest ?? []).length).join(' + ');
  out(
    `  processed once: ingest jobs ${ids.length} (${perWorker}) for ${frames} frames, ${twice} twice; minute values stored ${minutes} of ${readings} sent; derive runs ${derives.length}, ${derives.length - new Set(derives).size} twice; mails ${messageIds.length}, ${messageIds.length - new Set(messageIds).size} twice, alerts in them ${rows.filter((r) => r.message_id).length}`,
  );
}

await withScratchDatabase('envmon_bench_grid', log, measure);
