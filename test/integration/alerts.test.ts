/** Threshold alerts through the real queue and database: persistence, hysteresis, outbox rows, no re-firing. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ingestJob } from '../../jobs/ingest.ts';
import type { Queues } from '../../workers/enqueue.ts';
import type { Service } from '../../workers/main.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { openTestQueues, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let config: AppConfig;
let service: Service;
let queues: Queues;
let configFile: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-alerts-'));
  const file = path.join(dir, 'alerts.yaml');
  configFile = file;
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: JC-SW-WULIANG, nameZh: 磁窑河武良, nameEn: Wuliang, kind: surface_water, waterBody: river, area: 交城县 }',
      '  - { code: JC-SW-ANGUQIAO, nameZh: 安固桥, nameEn: Anguqiao, kind: surface_water, waterBody: river, area: 交城县 }',
      'rules:',
      '  - { id: nh3n-class3, kind: threshold, scope: { siteKinds: [surface_water] }, parameter: nh3_n, window: 1h, limit: 1.0, clearAt: 0.9, forEvaluations: 2, limitSource: "GB 3838-2002 表1 Ⅲ类 氨氮", severity: warning }',
    ].join('\n'),
  );
  config = testConfig({ DATABASE_URL: database.url, ENVMON_CONFIG: file, ENVMON_QUEUE_PREFIX: uniquePrefix() });
  service = await startTestService(config, () => new Date('2026-11-22T12:00:00Z'));
  queues = openTestQueues(config, database.url);
});
afterAll(async () => {
  await queues.close();
  await service.stop();
  await database.drop();
});

const hourly = (values: string[], startUtcHour: number, site = 'JC-SW-WULIANG') =>
  values.map((value, i) => ({ site, parameter: 'nh3_n', period: 'hour' as const, observedAt: new Date(Date.UTC(2026, 10, 22, startUtcHour + i)).toISOString(), value, unit: 'mg/L', flag: 'N' }));

describe('threshold alerts', () => {
  it('goes pending, fires after two breaching hours, clears only below 0.9, with one outbox row per transition', async () => {
    await queues.enqueue(ingestJob, { sourceId: null, readings: hourly(['0.8', '1.2', '1.3', '1.1', '0.95', '0.85'], 1), rejections: [] });
    const alert = await waitFor('the alert to resolve', async () => database.db.selectFrom('alert').selectAll().where('state', '=', 'resolved').executeTakeFirst());
    expect(alert).toMatchObject({ rule_id: 'nh3n-class3', dedup_key: 'nh3n-class3|JC-SW-WULIANG|nh3_n', late: true });
    expect(alert.fired_at?.toISOString()).toBe('2026-11-22T03:00:00.000Z');
    expect(alert.resolved_at?.toISOString()).toBe('2026-11-22T06:00:00.000Z');
    const events = await database.db.selectFrom('alert_event').select(['from_state', 'to_state']).where('alert_id', '=', alert.id).orderBy('id').execute();
    expect(events).toEqual([
      { from_state: null, to_state: 'pending' },
      { from_state: 'pending', to_state: 'firing' },
      { from_state: 'firing', to_state: 'resolved' },
    ]);
    // The service also queued a daily summary at start-up (the morning's catch-up); only alert rows matter here.
    const outbox = await database.db.selectFrom('notification_outbox').select(['kind', 'dedup_key', 'payload']).where('kind', 'not in', ['daily_summary', 'period_report']).orderBy('id').execute();
    expect(outbox.map((o) => [o.kind, o.dedup_key])).toEqual([
      ['alert', `alert:${alert.id}:firing`],
      ['resolution', `alert:${alert.id}:resolved`],
    ]);
    expect(outbox[0]?.payload).toMatchObject({ value: '1.3', limit: 1, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮', window: '1h', validCount: 1 });
    expect(outbox[1]?.payload).toMatchObject({ value: '0.85' });
  });

  it('lists, shows and acknowledges alerts from the CLI', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url, ENVMON_CONFIG: configFile });
    await queues.enqueue(ingestJob, { sourceId: null, readings: hourly(['1.6', '1.7'], 20), rejections: [] });
    const open = await waitFor('an open alert', async () => database.db.selectFrom('alert').select('id').where('state', '=', 'firing').executeTakeFirst());
    const listed = JSON.parse((await runEnvmon(['alerts', 'list', '--json'], env)).stdout) as { id: number; state: string }[];
    expect(listed).toEqual([expect.objectContaining({ id: open.id, state: 'firing' })]);
    const ack = await runEnvmon(['alerts', 'ack', String(open.id), '--by', '值班员', '--note', '已通知企业排查'], env);
    expect(ack.stdout.trim()).toBe(`alert ${open.id} acknowledged`);
    const shown = JSON.parse((await runEnvmon(['alerts', 'show', String(open.id), '--json'], env)).stdout) as { acknowledged_by: string; history: { to_state: string; note: string | null }[] };
    expect(shown.acknowledged_by).toBe('值班员');
    expect(shown.history.map((h) => h.note)).toContain('acknowledged by 值班员: 已通知企业排查');
  });

  it('never fires again for data already evaluated, even when revised values arrive for those hours', async () => {
    // A section of its own, so that the test rests on no other test's data or alerts.
    const site = 'JC-SW-ANGUQIAO';
    const evaluations = async () => ((await queues.queues.get('evaluate')?.getJobs(['completed'])) ?? []).filter((j) => (j.data as { site: string }).site === site).length;
    await queues.enqueue(ingestJob, { sourceId: null, readings: hourly(['0.8', '1.2', '1.3'], 1, site), rejections: [] });
    await waitFor('the evaluation of the first values', async () => (await evaluations()) === 1);
    await queues.enqueue(ingestJob, { sourceId: null, readings: hourly(['0.8', '1.25', '1.35'], 1, site), rejections: [] });
    // The revised hours are evaluated by an evaluate job of their own.
    await waitFor('the evaluation of the revisions', async () => (await evaluations()) === 2);
    const revised = await database.db.selectFrom('reading_revision').innerJoin('site', 'site.id', 'reading_revision.site_id').select('reading_revision.previous_value').where('site.code', '=', site).orderBy('reading_revision.observed_at').execute();
    expect(revised.map((r) => r.previous_value)).toEqual(['1.2', '1.3']);
    const alerts = await database.db.selectFrom('alert').select(['id', 'first_seen_at']).where('dedup_key', '=', `nh3n-class3|${site}|nh3_n`).execute();
    // The alert the first values opened (breaching from 02:00 UTC); none for the revised hours.
    expect(alerts.map((a) => a.first_seen_at.toISOString())).toEqual(['2026-11-22T02:00:00.000Z']);
    const outbox = await database.db.selectFrom('notification_outbox').select('kind').where('alert_id', 'in', alerts.map((a) => a.id)).execute();
    expect(outbox.map((o) => o.kind)).toEqual(['alert']);
  });
});
