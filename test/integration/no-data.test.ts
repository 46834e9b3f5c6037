/** A source that goes silent opens one alert (not one per series), which resolves when data resumes. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { checkSilenceJob } from '../../jobs/check-silence.ts';
import type { Queues } from '../../workers/enqueue.ts';
import type { Service } from '../../workers/main.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { openTestQueues, startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let config: AppConfig;
let service: Service;
let queues: Queues;
const now = new Date('2026-11-22T05:17:30Z');

/** Three series of source `sim` (S1 pH and NH3-N, S2 pH), one sample each at `time`. */
async function store(time: string): Promise<void> {
  const reading = (site: string, parameter: string, value: string) => ({ site, parameter, period: 'hour' as const, observedAt: time, value, unit: parameter === 'ph' ? 'pH' : 'mg/L', flag: 'N' });
  const parameterIds = new Map((await database.db.selectFrom('parameter').select(['id', 'code']).execute()).map((p) => [p.code, p.id]));
  await storeBatch(
    { db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => now },
    { sourceId: 'sim', readings: [reading('S1', 'ph', '7.8'), reading('S1', 'nh3_n', '0.5'), reading('S2', 'ph', '7.9')], rejections: [], recordHealth: false },
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-nodata-'));
  const file = path.join(dir, 'nodata.yaml');
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: S1, nameZh: 断面一, nameEn: S1, kind: surface_water, waterBody: river, area: X }',
      '  - { code: S2, nameZh: 断面二, nameEn: S2, kind: surface_water, waterBody: river, area: X }',
      // A no_data rule must name a configured source: a push source, so that nothing is pulled in the test.
      'sources:',
      '  - { id: sim, kind: hj212-listener, name: Sim, port: 0, stations: [{ mn: "SIM-S1", site: S1, passwordEnv: SIM_S1_PW }] }',
      'rules:',
      '  - { id: sim-silent, kind: no_data, sources: [sim], afterMinutes: 360, schedule: "0 0 1 1 *" }',
    ].join('\n'),
  );
  config = testConfig({ DATABASE_URL: database.url, ENVMON_CONFIG: file, ENVMON_QUEUE_PREFIX: uniquePrefix(), SIM_S1_PW: 'test-only' });
  service = await startTestService(config, () => now);
  queues = openTestQueues(config, database.url);
  await store('2026-11-22T04:00:00.000Z');
});
afterAll(async () => {
  await queues.close();
  await service.stop();
  await database.drop();
});

const check = async (slot: string) => {
  await queues.enqueue(checkSilenceJob, { ruleId: 'sim-silent', slot });
  await waitFor(`the check at ${slot}`, async () => {
    const job = await queues.queues.get('check-silence')?.getJob(`check-silence__sim-silent__${slot.replace(/:/g, '_')}`);
    return job && (await job.isCompleted());
  });
};

describe('no-data rule', () => {
  it('opens one source-level alert when every series is silent, and resolves it when checked while data flows', async () => {
    await check('2026-11-22T05:20:00.000Z');
    expect(await database.db.selectFrom('alert').select('id').execute()).toEqual([]);

    // 10:30 UTC is 6.5 h after the last sample: all three series are silent.
    await check('2026-11-22T10:30:00.000Z');
    const alerts = await database.db.selectFrom('alert').select(['id', 'dedup_key', 'state', 'evidence', 'source_id']).execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dedup_key: 'sim-silent|sim', state: 'firing', source_id: 'sim', evidence: { level: 'source', series: 3, latest: '2026-11-22T04:00:00.000Z', silentMinutes: 390 } });

    // Checked again later: still one alert, now longer silent.
    await check('2026-11-22T11:30:00.000Z');
    expect(await database.db.selectFrom('alert').select('id').execute()).toHaveLength(1);

    // Data resumes, so the next check resolves the alert.
    await store('2026-11-22T12:00:00.000Z');
    await check('2026-11-22T12:10:00.000Z');
    const resolved = await database.db.selectFrom('alert').select(['state']).execute();
    expect(resolved).toEqual([{ state: 'resolved' }]);
    const outbox = await database.db.selectFrom('notification_outbox').select('kind').where('kind', '<>', 'daily_summary').orderBy('id').execute();
    expect(outbox.map((o) => o.kind)).toEqual(['alert', 'resolution']);
  });
});
