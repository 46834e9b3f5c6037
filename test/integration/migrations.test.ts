/**
 * Every migration, in order, on an empty database — as a new installation runs them — gives the schema the code
 * expects; running them again changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { admin } from '../support/postgres-server.ts';
import { trackResource } from '../support/resources.ts';

const adminUrl = inject('pgAdminUrl');
const name = `envmon_test_empty_${randomBytes(5).toString('hex')}`;
let handle: DatabaseHandle;
let release: () => void;
let firstRun: string[];

beforeAll(async () => {
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  handle = connectDatabase(url.toString(), { max: 2 });
  release = trackResource(`database ${name}`);
  firstRun = (await migrateToLatest(handle.db)).map((r) => `${r.migrationName}: ${r.status}`);
});
afterAll(async () => {
  await handle.close();
  await admin(adminUrl, `drop database if exists ${name} with (force)`);
  release();
});

/** The expected names not among those found. */
const missing = (found: string[], expected: string[]) => expected.filter((e) => !found.includes(e));
const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(handle.db)).rows;

describe('migrations from an empty database', () => {
  it('run every migration once, in order', async () => {
    const expected = Object.keys(migrations).sort().map((m) => `${m}: Success`);
    expect(firstRun).toEqual(expected);
    const recorded = await rows(sql<{ name: string }>`select name from kysely_migration order by name`);
    expect(recorded.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('create the tables the code reads and writes', async () => {
    const tables = await rows(sql<{ relname: string }>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`);
    expect(missing(tables.map((t) => t.relname), [
      'site', 'parameter', 'source', 'reading', 'reading_revision', 'quarantine', 'plan_target', 'alert', 'alert_event',
      'silence', 'notification_outbox', 'notification_delivery', 'window_aggregate', 'series_watermark', 'api_token', 'source_series', 'hj212_lockout', 'windows_pending',
    ])).toEqual([]);
    const partitioned = await rows(sql<{ relname: string }>`select relname from pg_class where relkind = 'p' and relname = 'reading'`);
    expect(partitioned).toHaveLength(1);
  });

  it('create the key indexes and constraints', async () => {
    const indexes = await rows(sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = 'public'`);
    expect(missing(indexes.map((i) => i.indexname), [
      'reading_pkey', 'reading_observed_at_idx', 'quarantine_status_idx', 'quarantine_code_idx', 'alert_open_dedup_idx',
      'alert_dedup_key_idx', 'notification_outbox_pending_idx', 'notification_outbox_unrouted_idx', 'notification_delivery_due_idx',
      'window_aggregate_pkey', 'series_watermark_pkey', 'api_token_token_sha256_key', 'source_series_pkey', 'hj212_lockout_until_idx', 'windows_pending_site_idx',
    ])).toEqual([]);
    // The bulk path stores without per-row foreign-key checks (dropped by 20261122T0100).
    const readingForeignKeys = await rows(sql<{ conname: string }>`select conname from pg_constraint where conrelid = 'reading'::regclass and contype = 'f'`);
    expect(readingForeignKeys).toEqual([]);
    const columns = await rows(sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'source' and column_name = 'operator_enabled'`);
    expect(columns).toHaveLength(1);
  });

  it('install the functions the schema relies on, in their released form', async () => {
    // GB/T 8170 rounds half to even: 2.5 → 2, 3.5 → 4, −2.5 → −2; 1/3 to two decimals is 0.33.
    const rounded = await rows(sql<{ a: string; b: string; c: string; d: string }>`
      select envmon_round_half_even(5, 2, 0)::text as a, envmon_round_half_even(7, 2, 0)::text as b,
             envmon_round_half_even(-5, 2, 0)::text as c, envmon_round_half_even(1, 3, 2)::text as d`);
    expect(rounded).toEqual([{ a: '2', b: '4', c: '-2', d: '0.33' }]);
    await sql`select envmon_ensure_reading_partition('2026-03-15T00:00:00Z')`.execute(handle.db);
    const partitions = await rows(sql<{ relname: string }>`select relname from pg_class where relispartition and relname = 'reading_2026_03'`);
    expect(partitions).toHaveLength(1);
  });

  it('change nothing when run again', async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });
});
