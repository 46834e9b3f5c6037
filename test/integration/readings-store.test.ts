import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncConfig } from '../../db/sync-config.ts';
import { getSource } from '../../db/repositories/sources.repository.ts';
import { storeBatch, type BatchInput } from '../../ingest/store-batch.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
const partitions = new Set<string>();
const now = () => new Date('2026-11-22T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  parameterIds = await syncConfig(database.db, testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' }));
});
afterAll(async () => {
  await database.drop();
});

const reading = (observedAt: string, value: string, parameter = 'pm2_5') => ({
  site: 'Dongsi', parameter, period: 'hour' as const, observedAt, value, unit: parameter === 'co' ? 'mg/m³' : 'μg/m³', flag: 'N',
});
const ingest = async ({ cursor, ...input }: Partial<Omit<BatchInput, 'cursor'>> & { cursor?: string }) => {
  const { rejections: _r, ...counts } = await storeBatch(
    { db: database.db, pool: database.pool, parameterIds, partitions, now },
    { sourceId: 'beijing-replay', readings: [], rejections: [], ...input, ...(cursor ? { cursor: new Date(cursor) } : {}) },
  );
  return counts;
};

describe('storing readings', () => {
  it('stores a batch once: the same batch again adds and rewrites nothing', async () => {
    const batch = [reading('2026-10-31T23:00:00.000Z', '35'), reading('2026-11-01T00:00:00.000Z', '41'), reading('2026-11-01T00:00:00.000Z', '0.8', 'co')];
    expect(await ingest({ readings: batch })).toEqual({ stored: 3, unchanged: 0, revised: 0, rejected: 0 });
    const before = await database.db.selectFrom('reading').select(['observed_at', 'value', 'ingested_at']).orderBy('observed_at').execute();
    expect(await ingest({ readings: batch })).toEqual({ stored: 0, unchanged: 3, revised: 0, rejected: 0 });
    const after = await database.db.selectFrom('reading').select(['observed_at', 'value', 'ingested_at']).orderBy('observed_at').execute();
    expect(after).toEqual(before);
    // The two months went to their own partitions.
    const parts = await sql<{ name: string }>`select inhrelid::regclass::text as name from pg_inherits where inhparent = 'reading'::regclass order by 1`.execute(database.db);
    expect(parts.rows.map((p) => p.name)).toEqual(['reading_2026_10', 'reading_2026_11']);
  });

  it('recognises a batch identical to what is stored without writing, and never mistakes a changed one for it', async () => {
    const batch = ['35', '41', '38', '40'].map((v, i) => reading(`2026-11-10T0${i}:00:00.000Z`, v));
    await ingest({ readings: batch });
    // Counts the statements that try to write readings (the merge's upsert is one even when it changes nothing).
    await sql`create table test_reading_writes (n int not null default 0); insert into test_reading_writes values (0)`.execute(database.db);
    await sql`create function test_count_reading_writes() returns trigger language plpgsql as $$ begin update test_reading_writes set n = n + 1; return null; end $$`.execute(database.db);
    await sql`create trigger test_count_reading_writes before insert on reading for each statement execute function test_count_reading_writes()`.execute(database.db);
    const writes = async () => (await sql<{ n: number }>`select n from test_reading_writes`.execute(database.db)).rows[0]?.n;
    try {
      // The same rows in another order: nothing is written.
      expect(await ingest({ readings: [...batch].reverse() })).toEqual({ stored: 0, unchanged: 4, revised: 0, rejected: 0 });
      expect(await writes()).toBe(0);
      // Each of these differs from what is stored, and goes through the merge.
      const differing = [
        batch.map((r, i) => (i === 1 ? { ...r, value: '41.0' } : r)),
        batch.map((r, i) => (i === 2 ? { ...r, value: '39' } : r)),
        batch.map((r, i) => (i === 2 ? { ...r, flag: 'M' } : r)),
        batch.filter((_, i) => i !== 1),
        [...batch, batch[3] as (typeof batch)[number]],
      ];
      const counts = [];
      for (const rows of differing) counts.push(await ingest({ readings: rows }));
      expect(await writes()).toBe(differing.length);
      // 41.0 equals 41 as a number: the merge keeps the stored row (the digest only sent it there).
      expect(counts.map((c) => c.revised)).toEqual([0, 1, 1, 1, 0]);
      const stored = await database.db.selectFrom('reading').select(['value', 'flag']).where('observed_at', '>=', new Date('2026-11-10T00:00:00Z')).where('observed_at', '<', new Date('2026-11-11T00:00:00Z')).orderBy('observed_at').execute();
      expect(stored.map((r) => `${r.value}${r.flag}`)).toEqual(['35N', '41N', '38N', '40N']);
    } finally {
      await sql`drop trigger test_count_reading_writes on reading`.execute(database.db);
    }
  });

  it('keeps the previous value when a source revises a reading', async () => {
    const key = '2026-11-02T01:00:00.000Z';
    await ingest({ readings: [reading(key, '50')] });
    expect(await ingest({ readings: [reading(key, '52')] })).toEqual({ stored: 0, unchanged: 0, revised: 1, rejected: 0 });
    const current = await database.db.selectFrom('reading').select('value').where('observed_at', '=', new Date(key)).executeTakeFirstOrThrow();
    const history = await database.db.selectFrom('reading_revision').select(['previous_value', 'previous_flag']).where('observed_at', '=', new Date(key)).execute();
    expect(current.value).toBe('52');
    expect(history).toEqual([{ previous_value: '50', previous_flag: 'N' }]);
  });

  it('counts new, unchanged and revised readings of one mixed batch, duplicates as unchanged', async () => {
    await ingest({ readings: [reading('2026-11-06T01:00:00.000Z', '20'), reading('2026-11-06T02:00:00.000Z', '21')] });
    const mixed = [reading('2026-11-06T01:00:00.000Z', '20'), reading('2026-11-06T02:00:00.000Z', '25'), reading('2026-11-06T03:00:00.000Z', '22'), reading('2026-11-06T03:00:00.000Z', '22')];
    expect(await ingest({ readings: mixed })).toEqual({ stored: 1, unchanged: 2, revised: 1, rejected: 0 });
  });

  it('keeps the last of several values for one key in a batch, the others counted as unchanged', async () => {
    const key = '2026-11-07T01:00:00.000Z';
    expect(await ingest({ readings: [reading(key, '30'), reading(key, '31')] })).toEqual({ stored: 1, unchanged: 1, revised: 0, rejected: 0 });
    const row = await database.db.selectFrom('reading').select('value').where('observed_at', '=', new Date(key)).executeTakeFirstOrThrow();
    expect(row.value).toBe('31');
  });

  it('keeps exact decimals (numeric, not float)', async () => {
    await ingest({ readings: [reading('2026-11-03T01:00:00.000Z', '0.65', 'co')] });
    const row = await database.db.selectFrom('reading').select('value').where('observed_at', '=', new Date('2026-11-03T01:00:00.000Z')).executeTakeFirstOrThrow();
    expect(row.value).toBe('0.65');
  });

  it('quarantines readings of unknown sites with the rest of the batch stored', async () => {
    const result = await ingest({
      readings: [reading('2026-11-04T01:00:00.000Z', '10'), { ...reading('2026-11-04T01:00:00.000Z', '11'), site: 'Atlantis' }],
      rejections: [{ code: 'malformed', reason: 'row has 3 cells, header has 18', raw: '1,2,3' }],
    });
    expect(result).toEqual({ stored: 1, unchanged: 0, revised: 0, rejected: 2 });
    const items = await database.db.selectFrom('quarantine').select(['code', 'reason', 'raw', 'source_id', 'status']).orderBy('id').execute();
    expect(items).toEqual([
      { code: 'malformed', reason: 'row has 3 cells, header has 18', raw: '1,2,3', source_id: 'beijing-replay', status: 'pending' },
      { code: 'unknown_site', reason: 'unknown site "Atlantis"', raw: expect.stringContaining('"Atlantis"') as string, source_id: 'beijing-replay', status: 'pending' },
    ]);
  });

  it('moves the source cursor with the data and never backwards', async () => {
    await ingest({ readings: [reading('2026-11-05T01:00:00.000Z', '10')], cursor: '2026-11-05T01:00:00.000Z' });
    await ingest({ readings: [reading('2026-11-04T05:00:00.000Z', '10')], cursor: '2026-11-04T05:00:00.000Z' });
    const source = await getSource(database.db, 'beijing-replay');
    expect(source?.cursor?.toISOString()).toBe('2026-11-05T01:00:00.000Z');
    expect(source?.last_run_rows).toBe(1);
    expect(source?.consecutive_failures).toBe(0);
  });

  it('stores a batch larger than one statement chunk', async () => {
    const start = Date.parse('2020-01-01T00:00:00Z');
    const big = Array.from({ length: 25_000 }, (_, i) => reading(new Date(start + i * 3_600_000).toISOString(), String(i % 500)));
    expect(await ingest({ readings: big })).toEqual({ stored: 25_000, unchanged: 0, revised: 0, rejected: 0 });
  });

  it('stores into a month whose partition went away after this process had seen it (a restored or failed-over server)', async () => {
    expect(await ingest({ readings: [reading('2027-03-10T00:00:00.000Z', '35')] })).toMatchObject({ stored: 1 });
    // The server loses the partition this process remembers having made.
    await sql`drop table reading_2027_03`.execute(database.db);
    expect(await ingest({ readings: [reading('2027-03-11T00:00:00.000Z', '36')] })).toMatchObject({ stored: 1 });
    const stored = await database.db.selectFrom('reading').select('value').where('observed_at', '>=', new Date('2027-03-01T00:00:00Z')).execute();
    expect(stored).toEqual([{ value: '36' }]);
    // Leaves the months of the other tests alone.
    await sql`drop table reading_2027_03`.execute(database.db);
    partitions.delete('2027-03');
  });
});
