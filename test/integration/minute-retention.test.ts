/**
 * Retention of minute data: `envmon partitions prune` drops whole UTC days of minutes, oldest first, only once their
 * hours are derived; the hourly values stay; minutes of a dropped day that arrive later are quarantined, not
 * stored (deriving the hour again from them would replace the value of the whole hour); and a batch storing
 * minutes while a day is being dropped either lands before the drop (which then keeps the day) or is turned away.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionsPruneCommand } from '../../cli/commands/partitions.ts';
import { UsageError } from '../../cli/command.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { dropMinuteDay, minuteDays } from '../../db/repositories/minute-retention.repository.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch, type BatchResult } from '../../ingest/store-batch.ts';
import { deriveMinuteHoursJob } from '../../jobs/derive-minute-hours.ts';
import { pruneMinuteDaysJob } from '../../jobs/prune-minute-days.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { directJobDeps, quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
const site = 'JC-AIR-TOWN';
// Days far enough before today (the command counts --keep-days back from the real date) for --keep-days 20.
const NOW = new Date('2026-11-04T00:30:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig({ DATABASE_URL: database.url });
  parameterIds = await syncConfig(database.db, config);
});
afterAll(async () => {
  await database.drop();
});

/** 60 one-minute PM2.5 values of the UTC hour starting at `hourStart`, all `value`. */
function store(hourStart: string, value: string, count = 60): Promise<BatchResult> {
  const start = Date.parse(hourStart);
  const readings = Array.from({ length: count }, (_, i) => ({
    site, parameter: 'pm2_5', period: 'minute' as const, observedAt: new Date(start + (i + 1) * 60_000).toISOString(), value, unit: 'μg/m³', flag: 'N', intervalMinutes: 1,
  }));
  return storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => NOW }, { sourceId: null, readings, rejections: [] });
}

const derive = (at = NOW) => deriveMinuteHoursJob.process({ slot: at.toISOString() }, directJobDeps(config, database, parameterIds, () => at));

async function prune(...args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const name = (args[i] ?? '').slice(2);
    if (name === 'dry-run') values[name] = true;
    else values[name] = args[++i] ?? '';
  }
  const code = await partitionsPruneCommand.run({ values, positionals: [] }, { config, log: quietLog, out: (text) => out.push(text) });
  return { code, out };
}

const days = async () => (await minuteDays(database.db)).map((d) => d.day);
const hourly = () => database.db.selectFrom('reading').select(['observed_at', 'value']).where('period', '=', 'hour').orderBy('observed_at').execute();
const bound = async () => (await sql<{ b: string }>`select pruned_before::text as b from minute_retention`.execute(database.db)).rows[0]?.b;

describe('envmon partitions prune', () => {
  it('drops derived days oldest first, stops at a day with hours still to derive, and keeps the hourly values', async () => {
    await store('2026-11-01T01:00:00Z', '20');
    await store('2026-11-02T01:00:00Z', '30');
    await store('2026-11-03T01:00:00Z', '40');
    await derive();
    // Minutes of 11-02 not derived yet: that day, and so the days after it, stay.
    await store('2026-11-02T05:00:00Z', '50');
    expect(await days()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);

    const dry = await prune('--keep-days', '20', '--dry-run');
    expect(dry.out[0]).toMatch(/^2026-11-01 {2}\d+\.\d MiB {2}would be dropped$/);
    expect(dry.out[1]).toBe('2026-11-02  kept: 1 hour(s) still to derive from its minutes; later days wait for it (try again once the workers have derived them)');
    expect(dry.code).toBe(1);
    expect(await days()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(await bound()).toBe('-infinity');

    const first = await prune('--keep-days', '20');
    expect(first.code).toBe(1);
    expect(first.out.at(-1)).toMatch(/^1 day\(s\) dropped, \d+\.\d MiB; minutes before 2026-11-02 00:00 UTC are no longer taken$/);
    expect(await days()).toEqual(['2026-11-02', '2026-11-03']);
    expect(await bound()).toBe('2026-11-02 00:00:00+00');
    // The hour ending 2026-11-01 02:00Z was derived from 60 minutes of 20: it stays.
    expect(await hourly()).toEqual([
      { observed_at: new Date('2026-11-01T02:00:00Z'), value: '20' },
      { observed_at: new Date('2026-11-02T02:00:00Z'), value: '30' },
      { observed_at: new Date('2026-11-03T02:00:00Z'), value: '40' },
    ]);

    await derive();
    const second = await prune('--keep-days', '20');
    expect(second.code).toBe(0);
    expect(await days()).toEqual([]);
    expect(await bound()).toBe('2026-11-04 00:00:00+00');
    expect((await hourly()).map((h) => h.value)).toEqual(['20', '30', '50', '40']);
  });

  it('quarantines minutes of a dropped day instead of deriving its hour again from them', async () => {
    // Five late minutes of the hour derived from 60 minutes of 20.
    const late = await store('2026-11-01T01:00:00Z', '999', 5);
    expect(late.rejected).toBe(5);
    expect(late.rejections[0]).toMatchObject({ code: 'pruned_day' });
    expect(late.rejections[0]?.reason).toBe("minute data of 2026-11-01 (UTC) came after that day's minutes were dropped (envmon partitions prune): the hourly values derived from them stand");
    const kept = await database.db.selectFrom('quarantine').select(['code', 'detail']).where('code', '=', 'pruned_day').execute();
    expect(kept).toHaveLength(5);
    expect(kept[0]?.detail).toMatchObject({ site, parameter: 'pm2_5', value: '999' });
    // No partition made for the day again, no mark, the hourly value unchanged after a derivation run.
    expect(await days()).toEqual([]);
    expect(await database.db.selectFrom('minute_hour_pending').selectAll().execute()).toEqual([]);
    await derive();
    expect((await hourly())[0]).toEqual({ observed_at: new Date('2026-11-01T02:00:00Z'), value: '20' });
  });

  it('waits for a batch storing minutes of the day, then sees the hour it marked and keeps the day', async () => {
    await store('2026-11-05T01:00:00Z', '10');
    await derive(new Date('2026-11-05T03:00:00Z'));
    const [day] = await minuteDays(database.db);
    if (!day) throw new Error('no minute partition');
    // A batch in flight, as storeBatch runs it: the bound held for share, minutes stored, their hour marked.
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pruned_before from minute_retention for share');
      await client.query("insert into minute_hour_pending (site_id, parameter_id, hour_end) select site_id, parameter_id, '2026-11-05T03:00:00Z' from minute_reading limit 1");
      const dropping = dropMinuteDay(database.db, day, 20_000);
      // The drop cannot move the bound while the batch holds it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query('commit');
      expect(await dropping).toEqual({ outcome: 'pending', hours: 1 });
    } finally {
      client.release();
    }
    expect(await days()).toEqual(['2026-11-05']);
  });

  it('is done each night by the prune-minute-days job with retention.minuteDays, and not at all with null', async () => {
    await store('2026-11-06T01:00:00Z', '10');
    await derive(new Date('2026-11-06T03:00:00Z'));
    const night = new Date('2026-11-30T19:30:00Z');
    const run = (minuteDays: number | null) => pruneMinuteDaysJob.process({ slot: night.toISOString() }, directJobDeps({ ...config, retention: { minuteDays } }, database, parameterIds, () => night));
    expect(await run(null)).toEqual({ kept: 'all' });
    expect(await days()).toContain('2026-11-06');
    // 20 days before 2026-11-30 (UTC) is 2026-11-10: 11-05 and 11-06 are old enough, but an hour of 11-05 still to
    // derive stops the run before either goes.
    await sql`insert into minute_hour_pending (site_id, parameter_id, hour_end) select site_id, parameter_id, '2026-11-05T03:00:00Z' from minute_reading limit 1`.execute(database.db);
    expect(await run(20)).toEqual({ dropped: [], stopped: { day: '2026-11-05', outcome: 'pending', hours: 1 } });
    await database.db.deleteFrom('minute_hour_pending').execute();
    expect(await run(20)).toEqual({ dropped: ['2026-11-05', '2026-11-06'], stopped: null });
    expect(await days()).toEqual([]);
  });

  it('lets two prunes of the same day run at once (the nightly job and a hand-run command): both see it gone', async () => {
    await store('2026-11-07T01:00:00Z', '10');
    await derive(new Date('2026-11-07T03:00:00Z'));
    const day = (await minuteDays(database.db)).find((d) => d.day === '2026-11-07');
    if (!day) throw new Error('no minute partition');
    expect(await Promise.all([dropMinuteDay(database.db, day), dropMinuteDay(database.db, day)])).toEqual([{ outcome: 'dropped' }, { outcome: 'dropped' }]);
    expect(await days()).not.toContain('2026-11-07');
  });

  it('refuses a missing or impossible --keep-days', async () => {
    await expect(prune()).rejects.toThrow(new UsageError('--keep-days must be a whole number of days, at least 1 (got null)'));
    await expect(prune('--keep-days', '0')).rejects.toThrow(UsageError);
    await expect(prune('--keep-days', '1.5')).rejects.toThrow(UsageError);
  });
});
