/**
 * No-data rules: a silent source opens one alert (not one per series), which resolves only when data arrive. The
 * series a source must deliver come from the configuration and from everything it ever delivered (`source_series`),
 * so a source dead for weeks stays in alert and a configured source that never delivered alerts too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { sourcesForgetCommand } from '../../cli/commands/sources-forget.ts';
import { checkSilenceJob } from '../../jobs/check-silence.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import type { Queues } from '../../workers/enqueue.ts';
import type { Service } from '../../workers/main.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { openTestQueues, quietLog, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let config: AppConfig;
let service: Service;
let queues: Queues;
let parameterIds: ParameterIds;
const now = new Date('2026-11-22T05:17:30Z');

const level = '{ mean: 7.8, spread: 0.1, decimals: 1 }';
/** Pulls of these sources never run in a test (a schedule of once a year, on 1 January): the tests store their data. */
const quiet = 'schedule: "0 0 1 1 *"';

/** Stores one sample of each series at `time` as coming from `source`. */
async function store(source: string, time: string, series: readonly [site: string, parameter: string][]): Promise<void> {
  const readings = series.map(([site, parameter]) => ({ site, parameter, period: 'hour' as const, observedAt: time, value: '7.8', unit: parameter === 'ph' ? 'pH' : 'mg/L', flag: 'N' }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => now }, { sourceId: source, readings, rejections: [], recordHealth: false });
}
/** Three series of source `sim` (S1 pH and NH3-N, S2 pH), one sample each at `time`. */
const storeSim = (time: string) => store('sim', time, [['S1', 'ph'], ['S1', 'nh3_n'], ['S2', 'ph']]);

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-nodata-'));
  const file = path.join(dir, 'nodata.yaml');
  const httpSource = (id: string) => `  - { id: ${id}, kind: http-json, name: ${id}, ${quiet}, url: "http://127.0.0.1:9/", mapping: { site: code, time: { path: time }, values: [{ path: ph, parameter: ph, unit: pH }] } }`;
  writeFileSync(
    file,
    [
      'sites:',
      ...['S1', 'S2', 'S3'].map((s) => `  - { code: ${s}, nameZh: 断面${s}, nameEn: ${s}, kind: surface_water, waterBody: river, area: X }`),
      'sources:',
      `  - { id: sim, kind: water-simulator, name: sim, ${quiet}, sites: [{ site: S1, levels: { ph: ${level}, nh3_n: ${level} } }, { site: S2, levels: { ph: ${level} } }] }`,
      `  - { id: never, kind: water-simulator, name: never, ${quiet}, sites: [{ site: S3, levels: { ph: ${level}, nh3_n: ${level} } }] }`,
      httpSource('dead'),
      httpSource('gone'),
      httpSource('feed'),
      'rules:',
      '  - { id: sim-silent, kind: no_data, sources: [sim], afterMinutes: 360, schedule: "0 0 1 1 *" }',
      '  - { id: dead-silent, kind: no_data, sources: [dead], afterMinutes: 360, schedule: "0 0 1 1 *" }',
      '  - { id: gone-silent, kind: no_data, sources: [gone], afterMinutes: 360, schedule: "0 0 1 1 *" }',
      '  - { id: never-silent, kind: no_data, sources: [never], afterMinutes: 360, schedule: "0 0 1 1 *" }',
      '  - { id: feed-silent, kind: no_data, sources: [feed], afterMinutes: 360, schedule: "0 0 1 1 *" }',
    ].join('\n'),
  );
  config = testConfig({ DATABASE_URL: database.url, ENVMON_CONFIG: file, ENVMON_QUEUE_PREFIX: uniquePrefix() });
  service = await startTestService(config, () => now);
  queues = openTestQueues(config, database.url);
  parameterIds = new Map((await database.db.selectFrom('parameter').select(['id', 'code']).execute()).map((p) => [p.code, p.id]));
  await storeSim('2026-11-22T04:00:00.000Z');
});
afterAll(async () => {
  await queues.close();
  await service.stop();
  await database.drop();
});

/** The check as the scheduler runs it: through the queue and a worker. */
const check = async (slot: string) => {
  await queues.enqueue(checkSilenceJob, { ruleId: 'sim-silent', slot });
  await waitFor(`the check at ${slot}`, async () => {
    const job = await queues.queues.get('check-silence')?.getJob(`check-silence__sim-silent__${slot.replace(/:/g, '_')}`);
    return job && (await job.isCompleted());
  });
};
/** The check's processor called directly, for rules whose history spans weeks. */
/** The jobs a check asked for (a check that changed alerts asks for a notify run at once). */
const requested: string[] = [];
const checkNow = (ruleId: string, slot: string) =>
  checkSilenceJob.process({ ruleId, slot }, {
    db: database.db, pool: database.pool, config, parameterIds, now: () => new Date(slot),
    enqueue: (job: { name: string }) => { requested.push(job.name); return Promise.resolve(); },
  } as unknown as JobDeps);

const alertsOf = (rule: string) => database.db.selectFrom('alert').select(['id', 'dedup_key', 'state', 'evidence', 'source_id', 'fired_at', 'resolved_at']).where('rule_id', '=', rule).orderBy('id').execute();
const outboxOf = async (rule: string) => {
  const ids = (await alertsOf(rule)).map((a) => a.id);
  return ids.length === 0 ? [] : database.db.selectFrom('notification_outbox').select(['kind', 'alert_id', 'payload']).where('alert_id', 'in', ids).orderBy('id').execute();
};
const historyOf = (alertId: number) => database.db.selectFrom('alert_event').select(['from_state', 'to_state', 'note']).where('alert_id', '=', alertId).orderBy('id').execute();

describe('no-data rule', () => {
  it('opens one source-level alert when every series is silent, and resolves it when checked while data flows', async () => {
    await check('2026-11-22T05:20:00.000Z');
    expect(await alertsOf('sim-silent')).toEqual([]);

    // 10:30 UTC is 6.5 h after the last sample: all three series are silent.
    await check('2026-11-22T10:30:00.000Z');
    const alerts = await alertsOf('sim-silent');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dedup_key: 'sim-silent|sim', state: 'firing', source_id: 'sim', evidence: { level: 'source', series: 3, latest: '2026-11-22T04:00:00.000Z', silentMinutes: 390 } });

    // Checked again later: still one alert, now longer silent.
    await check('2026-11-22T11:30:00.000Z');
    expect(await alertsOf('sim-silent')).toHaveLength(1);

    // Data resumes, so the next check resolves the alert.
    await storeSim('2026-11-22T12:00:00.000Z');
    await check('2026-11-22T12:10:00.000Z');
    expect((await alertsOf('sim-silent')).map((a) => a.state)).toEqual(['resolved']);
    expect((await outboxOf('sim-silent')).map((o) => o.kind)).toEqual(['alert', 'resolution']);
  });

  it('keeps a source dead for 40 days in alert: what it ever delivered is expected, not only the last 31 days', async () => {
    await store('dead', '2026-10-13T04:00:00.000Z', [['S1', 'ph'], ['S2', 'ph']]);
    await checkNow('dead-silent', '2026-11-22T05:20:00.000Z');
    const [alert] = await alertsOf('dead-silent');
    expect(alert).toMatchObject({ dedup_key: 'dead-silent|dead', state: 'firing', evidence: { level: 'source', series: 2, latest: '2026-10-13T04:00:00.000Z', silentMinutes: 40 * 24 * 60 + 80 } });
    await checkNow('dead-silent', '2026-11-22T06:20:00.000Z');
    expect((await alertsOf('dead-silent')).map((a) => a.state)).toEqual(['firing']);
  });

  it('resolves an alert only when data arrive, never because its series fell out of a lookback', async () => {
    await store('gone', '2026-10-01T00:00:00.000Z', [['S1', 'ph']]);
    await checkNow('gone-silent', '2026-10-01T08:00:00.000Z');
    expect((await alertsOf('gone-silent')).map((a) => a.state)).toEqual(['firing']);
    // 32 days later nothing has arrived: still firing, with no resolution queued.
    await checkNow('gone-silent', '2026-11-02T08:00:00.000Z');
    expect((await alertsOf('gone-silent')).map((a) => a.state)).toEqual(['firing']);
    expect((await outboxOf('gone-silent')).map((o) => o.kind)).toEqual(['alert']);
    // Data arrive: the next check resolves it, saying so.
    await store('gone', '2026-11-02T09:00:00.000Z', [['S1', 'ph']]);
    await checkNow('gone-silent', '2026-11-02T09:10:00.000Z');
    const [alert] = await alertsOf('gone-silent');
    expect(alert?.state).toBe('resolved');
    expect((await historyOf(alert?.id ?? 0)).at(-1)).toMatchObject({ from_state: 'firing', to_state: 'resolved', note: 'data resumed' });
    expect((await outboxOf('gone-silent')).map((o) => o.kind)).toEqual(['alert', 'resolution']);
  });

  it('stops expecting a station a feed no longer publishes once an operator retires it with envmon sources forget', async () => {
    await store('feed', '2026-11-01T00:00:00.000Z', [['S1', 'ph'], ['S2', 'ph']]);
    await store('feed', '2026-11-01T12:00:00.000Z', [['S1', 'ph']]);
    await checkNow('feed-silent', '2026-11-01T12:10:00.000Z');
    expect((await alertsOf('feed-silent')).map((a) => [a.dedup_key, a.state])).toEqual([['feed-silent|feed|site:S2', 'firing']]);
    const out: string[] = [];
    const run = (positionals: string[], values: Record<string, string | boolean>) => sourcesForgetCommand.run({ values, positionals }, { config, log: quietLog, out: (t) => out.push(t) });
    expect(await run(['feed'], { site: 'S2' })).toBe(0);
    expect(out).toEqual(['feed: no longer expects 1 series of site S2 (ph); its no-data alert resolves at the next check']);
    await checkNow('feed-silent', '2026-11-01T12:20:00.000Z');
    const [alert] = await alertsOf('feed-silent');
    expect(alert).toMatchObject({ state: 'resolved', evidence: { reason: 'no_longer_expected' } });
    // Nothing to forget is an error that says so.
    await expect(run(['feed'], { site: 'S3' })).rejects.toThrow('feed delivered nothing for site S3');
    // A demonstration source since removed from the configuration keeps what labels its data.
    await database.db.insertInto('source').values({ id: 'old-sim', kind: 'water-simulator', name: 'old', schedule: '*/5 * * * *', settings: JSON.stringify({}) }).execute();
    await store('old-sim', '2026-11-01T00:00:00.000Z', [['S1', 'ph']]);
    await expect(run(['old-sim'], { site: 'S1' })).rejects.toThrow('old-sim expects only the sites its configuration names');
    expect(await database.db.selectFrom('source_series').select('site_id').where('source_id', '=', 'old-sim').execute()).toHaveLength(1);
  });

  it('alerts on a configured source that never delivered: waiting (pending) first, firing after afterMinutes', async () => {
    // The first check of a new installation, before any pull could have delivered: nothing is notified.
    await checkNow('never-silent', '2026-11-22T00:00:00.000Z');
    const waiting = await alertsOf('never-silent');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ dedup_key: 'never-silent|never', state: 'pending', evidence: { level: 'source', neverDelivered: true, latest: null } });
    expect(await outboxOf('never-silent')).toEqual([]);
    await checkNow('never-silent', '2026-11-22T05:50:00.000Z');
    expect((await alertsOf('never-silent')).map((a) => a.state)).toEqual(['pending']);
    // Six hours (afterMinutes) after it was first found waiting, it fires and is notified, at once.
    requested.length = 0;
    await checkNow('never-silent', '2026-11-22T06:00:00.000Z');
    expect(requested).toEqual(['notify']);
    const [fired] = await alertsOf('never-silent');
    expect(fired).toMatchObject({ state: 'firing', evidence: { neverDelivered: true, silentMinutes: 360, series: 2 } });
    expect(fired?.fired_at?.toISOString()).toBe('2026-11-22T06:00:00.000Z');
    expect((await outboxOf('never-silent')).map((o) => o.kind)).toEqual(['alert']);

    // S3's pH arrives; its NH3-N never did. The source alert resolves (data arrived) and the one configured series
    // still missing waits on its own.
    await store('never', '2026-11-22T07:00:00.000Z', [['S3', 'ph']]);
    await checkNow('never-silent', '2026-11-22T07:10:00.000Z');
    expect((await alertsOf('never-silent')).map((a) => [a.dedup_key, a.state])).toEqual([
      ['never-silent|never', 'resolved'],
      ['never-silent|never|site:S3|parameter:nh3_n', 'pending'],
    ]);
  });
});
