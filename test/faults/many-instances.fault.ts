/**
 * Two schedulers and three workers at once, as separate processes on one database and queue prefix: every
 * scheduled slot of every source is fetched exactly once (seen from the feed's side: one request per slot), and
 * the daily summary goes to each recipient exactly once, although both schedulers enqueue everything.
 *
 * The sources are scheduled every minute, so the test runs over at least one minute boundary of the wall clock
 * after both schedulers are up (each also catches up the current minute when it starts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/http-server.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { deleteRedisPrefix, openTestQueues, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';
import { spawnEnvmon, type EnvmonProcess } from './support/envmon-process.ts';
import { startMailSink, type MailSink } from './support/mail-sink.ts';
import { failedJobs, queuesIdle } from './support/queue-watch.ts';
import { printScenario } from './support/scenario-report.ts';

const SOURCES = 4;
const MINUTE_MS = 60_000;
const recipients = ['duty-a', 'duty-b', 'duty-c'];

let dir: string;
let database: TestDatabase;
let sink: MailSink;
let feed: TestServer;
const prefix = uniquePrefix();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'envmon-many-'));
  database = await createTestDatabase();
  sink = await startMailSink();
  // Each request gets the reading of the hour its window ends in.
  feed = await startTestServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed');
    const until = Date.parse(url.searchParams.get('until') ?? '');
    const hour = new Date(Math.floor(until / 3_600_000) * 3_600_000).toISOString();
    const station = url.pathname.split('/').pop() ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: Number.isFinite(until) ? [{ station, time: hour, pm25: 31 }] : [] }));
  });
  const sources = Array.from({ length: SOURCES }, (_, i) => `  - id: feed-${i + 1}
    kind: http-json
    name: Feed ${i + 1}
    schedule: "* * * * *"
    initialBackfillHours: 2
    url: "${feed.url}/readings/M${i + 1}?since={since}&until={until}&limit={limit}"
    mapping: { items: "$.data[*]", site: station, time: { path: time, format: iso }, values: [{ path: pm25, parameter: pm2_5, unit: "μg/m³" }] }`);
  writeFileSync(
    path.join(dir, 'envmon.yaml'),
    `sites:
${Array.from({ length: SOURCES }, (_, i) => `  - { code: M${i + 1}, nameZh: 测点${i + 1}, nameEn: Station ${i + 1}, kind: air_station, area: 测试区 }`).join('\n')}
sources:
${sources.join('\n')}
recipients:
${recipients.map((r) => `  - { id: ${r}, name: ${r}, email: ${r}@example.org }`).join('\n')}
notifications: { from: "envmon <envmon@envmon.test>", summaryDelaySeconds: 0 }
queues: { concurrency: 4, attempts: 5, backoffMs: 500, lockSeconds: 5 }
`,
  );
});
afterAll(async () => {
  await feed.close();
  await sink.close();
  await database.drop();
  await deleteRedisPrefix(inject('redisUrl'), prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('two schedulers and three workers', () => {
  it('fetch every slot once and send every daily summary once', async () => {
    const env = (role: 'worker' | 'scheduler') => ({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), ENVMON_CONFIG: path.join(dir, 'envmon.yaml'), ENVMON_QUEUE_PREFIX: prefix, ENVMON_ROLE: role, ENVMON_VAR_DIR: dir, ENVMON_SMTP_URL: sink.url });
    const processes: EnvmonProcess[] = [];
    const queues = openTestQueues(testConfig(env('worker')), database.url, inject('redisUrl'));
    try {
      const workers = [0, 1, 2].map(() => spawnEnvmon(['start'], env('worker')));
      processes.push(...workers);
      await Promise.all(workers.map((w) => w.ready()));
      const schedulers = [0, 1].map(() => spawnEnvmon(['start'], env('scheduler')));
      processes.push(...schedulers);
      await Promise.all(schedulers.map((s) => s.ready('"scheduler started"')));
      const lastStart = Date.now();
      // Each scheduler enqueues the current minute as it starts (its catch-up): the first slot is the earliest of those.
      const startedAt = schedulers.map((s) => Date.parse((JSON.parse(s.output().split('\n').find((l) => l.includes('"scheduler started"')) ?? '{}') as { time?: string }).time ?? ''));
      const firstStart = Math.min(...startedAt);
      // The daily summary is queued at start-up (a missed morning is caught up) and sent by a notification run; then
      // past the next minute boundary after both schedulers are up, and well inside a minute, so that the last slot
      // is the current minute on both (no boundary while they stop).
      const summarySent = async () => (await database.db.selectFrom('notification_delivery as d').innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id').select('d.id').where('o.kind', '=', 'daily_summary').where('d.status', '=', 'sent').execute()).length >= recipients.length;
      await waitFor('the daily summary sent, a minute boundary with both schedulers running, then second 8–45 of a minute', async () => {
        const now = Date.now();
        return Math.floor(now / MINUTE_MS) > Math.floor(lastStart / MINUTE_MS) && now % MINUTE_MS > 8_000 && now % MINUTE_MS < 45_000 && (await summarySent());
      }, 4 * MINUTE_MS, 200);
      const stopAt = Date.now();
      expect(await Promise.all(schedulers.map((s) => s.stop()))).toEqual([0, 0]);
      await waitFor('the queues to be idle', () => queuesIdle(queues), 120_000, 100);

      const slots: string[] = [];
      for (let m = Math.floor(firstStart / MINUTE_MS); m <= Math.floor(stopAt / MINUTE_MS); m++) slots.push(new Date(m * MINUTE_MS).toISOString());
      const requests = new Map<string, number>();
      for (const r of feed.requests) {
        const url = new URL(r.url, 'http://feed');
        const key = `${url.pathname.split('/').pop() ?? ''} ${url.searchParams.get('until') ?? ''}`;
        requests.set(key, (requests.get(key) ?? 0) + 1);
      }
      const expected = new Map(Array.from({ length: SOURCES }, (_, i) => slots.map((s) => [`M${i + 1} ${s}`, 1] as const)).flat());
      // The summary caught up at start is that of the day before the latest 08:00 Beijing time (UTC+8, no DST).
      const beijing = firstStart + 8 * 3_600_000;
      let morning = Math.floor(beijing / 86_400_000) * 86_400_000 + 8 * 3_600_000;
      if (morning > beijing) morning -= 86_400_000;
      const summaryDate = new Date(morning - 86_400_000).toISOString().slice(0, 10);
      const summaries = await database.db.selectFrom('notification_outbox').select(['dedup_key']).where('kind', '=', 'daily_summary').execute();
      const summaryDeliveries = await database.db.selectFrom('notification_delivery as d').innerJoin('notification_outbox as o', 'o.id', 'd.outbox_id').select(['d.recipient', 'd.status', 'd.message_id']).where('o.kind', '=', 'daily_summary').execute();
      const summaryIds = new Set(summaryDeliveries.map((d) => d.message_id));
      const summaryMails = sink.accepted.filter((m) => summaryIds.has(m.messageId));

      printScenario('two schedulers and three workers', {
        'processes (schedulers / workers)': `${schedulers.length} / ${workers.length}`,
        'sources × slots': `${SOURCES} × ${slots.length} (${slots[0] ?? ''} … ${slots[slots.length - 1] ?? ''})`,
        'feed requests': feed.requests.length,
        'slots fetched twice / never': `${[...requests.values()].filter((n) => n > 1).length} / ${[...expected.keys()].filter((k) => !requests.has(k)).length}`,
        'daily summaries queued / mails accepted / distinct Message-IDs': `${summaries.length} / ${summaryMails.length} / ${new Set(summaryMails.map((m) => m.messageId)).size}`,
        'jobs failed for good': (await failedJobs(queues)).length,
      });
      expect(Object.fromEntries(requests)).toEqual(Object.fromEntries(expected));
      expect(summaries.map((s) => s.dedup_key)).toEqual([`daily:${summaryDate}`]);
      expect(summaryDeliveries.map((d) => [d.recipient, d.status]).sort()).toEqual(recipients.map((r) => [r, 'sent']));
      expect(summaryMails.map((m) => m.to).sort()).toEqual(recipients.map((r) => `${r}@example.org`));
      expect(await failedJobs(queues)).toEqual([]);
      expect(processes.filter((p) => p.child.exitCode !== null && !p.endedByTest).map((p) => p.output().slice(-2000))).toEqual([]);
    } finally {
      await queues.close();
      await Promise.all(processes.map((p) => p.stop()));
    }
  }, 300_000);
});
