/**
 * Minute data becomes hourly values: stored apart with a mark per hour (in the same transaction), derived by the
 * `derive-minute-hours` job with the 45-minute rule (GB 3095-2012 Table 4), the station's own hourly value winning
 * in either order of arrival, late minutes re-deriving the hour, and a crash between store and derivation redone.
 */
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { deriveMinuteHoursJob } from '../../jobs/derive-minute-hours.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { directJobDeps, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
const site = 'JC-AIR-TOWN';
// The hour ending 10:00 Beijing time, 2026-11-20 = 02:00Z; its minutes start 01:00Z … 01:59Z.
const HOUR_END = new Date('2026-11-20T02:00:00Z');
const NOW = new Date('2026-11-20T03:00:00Z');
const minuteEnd = (i: number) => new Date(Date.parse('2026-11-20T01:00:00Z') + (i + 1) * 60_000).toISOString();

beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig({ DATABASE_URL: database.url });
  parameterIds = await syncConfig(database.db, config);
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['reading', 'minute_reading', 'minute_hour_pending', 'minute_hour', 'windows_pending'] as const) await database.db.deleteFrom(table).execute();
});

const deps = () => directJobDeps(config, database, parameterIds, () => NOW);

/** PM2.5 minute values (CN 2051 one-minute data: interval 1, ending at DataTime + 1 min), minutes `from`…`to − 1`. */
async function storeMinutes(values: (i: number) => string, from: number, to: number, flag = 'N'): Promise<void> {
  const readings = [];
  for (let i = from; i < to; i++) readings.push({ site, parameter: 'pm2_5', period: 'minute' as const, observedAt: minuteEnd(i), value: values(i), unit: 'μg/m³', flag, intervalMinutes: 1 });
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => NOW }, { sourceId: null, readings, rejections: [] });
}

async function storeHourly(value: string): Promise<void> {
  const readings = [{ site, parameter: 'pm2_5', period: 'hour' as const, observedAt: HOUR_END.toISOString(), value, unit: 'μg/m³', flag: 'N' }];
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => NOW }, { sourceId: null, readings, rejections: [] });
}

const hourly = () => database.db.selectFrom('reading').select(['period', 'observed_at', 'value', 'flag', 'derived']).where('period', '=', 'hour').execute();
const outcome = () => database.db.selectFrom('minute_hour').select(['hour_end', 'minute_rows', 'valid_minutes', 'value', 'flag', 'outcome']).execute();
const derive = () => deriveMinuteHoursJob.process({ slot: NOW.toISOString() }, deps());

describe('minute data → hourly values', () => {
  it('minutes are stored apart, with a mark for their hour, and no hourly reading yet', async () => {
    await storeMinutes(() => '30', 0, 60);
    expect(await database.db.selectFrom('minute_reading').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()).toEqual({ n: 60 });
    expect(await database.db.selectFrom('minute_hour_pending').select(['hour_end']).execute()).toEqual([{ hour_end: HOUR_END }]);
    expect(await hourly()).toEqual([]);
  });

  it('60 minutes → the derived hour, exact mean, its windows and rules run by the same job', async () => {
    // 30 minutes of 20 and 30 of 25: (600 + 750) / 60 = 22.5 → 22 (GB/T 8170, 2 is even)
    await storeMinutes((i) => (i < 30 ? '20' : '25'), 0, 60);
    expect(await derive()).toMatchObject({ hours: 1, derived: 1, insufficient: 0, station: 0, sites: 1, evaluated: 1, queued: 0 });
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '22', flag: 'N', derived: true }]);
    expect(await outcome()).toEqual([{ hour_end: HOUR_END, minute_rows: 60, valid_minutes: 60, value: '22', flag: 'N', outcome: 'derived' }]);
    // The windows mark the derivation left (as ingest leaves one) is paid: the series is evaluated up to the hour.
    expect(await database.db.selectFrom('windows_pending').selectAll().execute()).toEqual([]);
    expect(await database.db.selectFrom('series_watermark').select('latest_hour').execute()).toEqual([{ latest_hour: HOUR_END }]);
    expect(await database.db.selectFrom('minute_hour_pending').selectAll().execute()).toEqual([]);
  });

  it('44 minutes → insufficient: recorded, no hourly reading; the 45th minute arriving late makes it valid', async () => {
    await storeMinutes(() => '40', 0, 44);
    expect(await derive()).toMatchObject({ hours: 1, derived: 0, insufficient: 1 });
    expect(await hourly()).toEqual([]);
    expect(await outcome()).toEqual([{ hour_end: HOUR_END, minute_rows: 44, valid_minutes: 44, value: null, flag: 'N', outcome: 'insufficient' }]);
    // The late minute has value 85: (44 × 40 + 85) / 45 = 1845 / 45 = 41
    await storeMinutes(() => '85', 44, 45);
    expect(await derive()).toMatchObject({ hours: 1, derived: 1 });
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '41', flag: 'N', derived: true }]);
  });

  it('a late minute re-derives a derived hour; a revision to a flag that leaves < 45 N minutes removes it', async () => {
    await storeMinutes(() => '10', 0, 50);
    await derive();
    expect((await hourly())[0]?.value).toBe('10');
    // Ten more minutes of 70: (500 + 700) / 60 = 20
    await storeMinutes(() => '70', 50, 60);
    await derive();
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '20', flag: 'N', derived: true }]);
    // Minutes 0–19 revised to calibration (C): 40 N minutes remain → the derived value goes
    await storeMinutes(() => '10', 0, 20, 'C');
    expect(await derive()).toMatchObject({ insufficient: 1 });
    expect(await hourly()).toEqual([]);
    expect(await outcome()).toEqual([{ hour_end: HOUR_END, minute_rows: 60, valid_minutes: 40, value: null, flag: 'C', outcome: 'insufficient' }]);
  });

  it('the station\'s own hourly value wins when it comes first', async () => {
    await storeHourly('33');
    await storeMinutes(() => '50', 0, 60);
    expect(await derive()).toMatchObject({ hours: 1, derived: 0, station: 1 });
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '33', flag: 'N', derived: false }]);
  });

  it('the station\'s own hourly value replaces a derived one when it comes later, even an equal one', async () => {
    await storeMinutes(() => '50', 0, 60);
    await derive();
    await storeHourly('50');
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '50', flag: 'N', derived: false }]);
    // Later minutes do not overwrite it.
    await storeMinutes(() => '90', 0, 60);
    expect(await derive()).toMatchObject({ station: 1 });
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '50', flag: 'N', derived: false }]);
  });

  it('an hour not yet ended waits for its end', async () => {
    await storeMinutes(() => '30', 0, 60);
    const early = directJobDeps(config, database, parameterIds, () => new Date('2026-11-20T01:59:00Z'));
    expect(await deriveMinuteHoursJob.process({ slot: '2026-11-20T01:59:00.000Z' }, early)).toMatchObject({ hours: 0 });
    expect(await database.db.selectFrom('minute_hour_pending').select('hour_end').execute()).toEqual([{ hour_end: HOUR_END }]);
  });

  it('a crash after the minutes were stored and before derivation (or inside it) is redone by the next run', async () => {
    await storeMinutes(() => '12', 0, 60);
    // The derivation dies inside its transaction, after the reading was written and before the outcome: its marks
    // and the reading go with the rollback.
    const dies: KyselyPlugin = {
      transformQuery: (args) => {
        if (JSON.stringify(args.node).includes('insert into minute_hour (')) throw new Error('killed');
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const dying = { ...deps(), db: database.db.withPlugin(dies) };
    await expect(deriveMinuteHoursJob.process({ slot: NOW.toISOString() }, dying)).rejects.toThrow('killed');
    expect(await hourly()).toEqual([]);
    expect(await database.db.selectFrom('minute_hour_pending').select('hour_end').execute()).toEqual([{ hour_end: HOUR_END }]);
    expect(await derive()).toMatchObject({ hours: 1, derived: 1 });
    expect(await hourly()).toEqual([{ period: 'hour', observed_at: HOUR_END, value: '12', flag: 'N', derived: true }]);
  });
});
