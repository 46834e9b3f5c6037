/**
 * `source_series`: which source ever delivered which series, with the first and latest interval end — kept in the
 * transaction that stores the readings, and filled from the readings already stored when the table is created.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import * as sourceSeriesMigration from '../../db/migrations/20261201T0100_source_series.ts';
import { ensurePartitions } from '../../db/repositories/readings.repository.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;

beforeAll(async () => {
  database = await createTestDatabase();
  parameterIds = await syncConfig(database.db, testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' }));
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  await database.db.deleteFrom('source_series').execute();
  await database.db.deleteFrom('reading').execute();
});

const reading = (site: string, parameter: string, observedAt: string, value = '1.0') => ({ site, parameter, period: 'hour' as const, observedAt, value, unit: parameter === 'ph' ? 'pH' : 'mg/L', flag: 'N' });
const store = (sourceId: string | null, readings: ReturnType<typeof reading>[], dryRun = false) =>
  storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date('2026-12-01T00:00:00Z') }, { sourceId, readings, rejections: [], recordHealth: false }, new Map(), dryRun);

const rows = () =>
  sql<{ source: string; site: string; parameter: string; first_at: Date; latest_at: Date }>`
    select ss.source_id as source, s.code as site, p.code as parameter, ss.first_at, ss.latest_at
    from source_series ss join site s on s.id = ss.site_id join parameter p on p.id = ss.parameter_id
    order by 1, 2, 3`
    .execute(database.db)
    .then((r) => r.rows.map((x) => ({ ...x, first_at: x.first_at.toISOString(), latest_at: x.latest_at.toISOString() })));

describe('source_series', () => {
  it('records each series a source delivered with its first and latest interval end, widening with later batches', async () => {
    await store('water-simulator', [reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T04:00:00.000Z'), reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T08:00:00.000Z'), reading('JC-SW-WULIANG', 'ph', '2026-11-20T08:00:00.000Z')]);
    // A late value before the first and a new one after the latest, in one batch; and another source for one series.
    await store('water-simulator', [reading('JC-SW-WULIANG', 'nh3_n', '2026-11-19T20:00:00.000Z'), reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T12:00:00.000Z')]);
    await store('manual', [reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T10:00:00.000Z', '1.1')]);
    expect(await rows()).toEqual([
      { source: 'manual', site: 'JC-SW-WULIANG', parameter: 'nh3_n', first_at: '2026-11-20T10:00:00.000Z', latest_at: '2026-11-20T10:00:00.000Z' },
      { source: 'water-simulator', site: 'JC-SW-WULIANG', parameter: 'nh3_n', first_at: '2026-11-19T20:00:00.000Z', latest_at: '2026-11-20T12:00:00.000Z' },
      { source: 'water-simulator', site: 'JC-SW-WULIANG', parameter: 'ph', first_at: '2026-11-20T08:00:00.000Z', latest_at: '2026-11-20T08:00:00.000Z' },
    ]);
  });

  it('records nothing for a dry run, for readings without a source, or for readings that were rejected', async () => {
    await store('water-simulator', [reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T04:00:00.000Z')], true);
    await store(null, [reading('JC-SW-WULIANG', 'nh3_n', '2026-11-20T04:00:00.000Z')]);
    await store('water-simulator', [reading('NO-SUCH-SITE', 'nh3_n', '2026-11-20T04:00:00.000Z')]);
    expect(await rows()).toEqual([]);
  });

  it('is filled from the readings already stored when the table is created', async () => {
    await sourceSeriesMigration.down(database.db);
    try {
      // Readings as stored before the table existed (written directly: storing now also fills the table).
      const site = await database.db.selectFrom('site').select('id').where('code', '=', 'Dongsi').executeTakeFirstOrThrow();
      const row = (parameter: string, at: string, value: string, source: string | null) => ({ site_id: site.id, parameter_id: parameterIds.get(parameter) as number, period: 'hour', observed_at: at, value, unit: 'μg/m³', source_id: source });
      await ensurePartitions(database.db, ['2026-11-20T01:00:00.000Z'], new Set());
      await database.db
        .insertInto('reading')
        .values([row('pm2_5', '2026-11-20T01:00:00.000Z', '30', 'beijing-replay'), row('pm2_5', '2026-11-20T03:00:00.000Z', '35', 'beijing-replay'), row('pm10', '2026-11-20T01:00:00.000Z', '50', null)])
        .execute();
    } finally {
      await sourceSeriesMigration.up(database.db);
    }
    expect(await rows()).toEqual([{ source: 'beijing-replay', site: 'Dongsi', parameter: 'pm2_5', first_at: '2026-11-20T01:00:00.000Z', latest_at: '2026-11-20T03:00:00.000Z' }]);
  });
});
