/**
 * Stored data owes its rolling windows and rule runs until they are done: the debt is a row in `windows_pending`
 * written in the transaction that stores the data and deleted in the one that pays it. Whoever finds such a row
 * finishes it — here `envmon aggregates rebuild` and the periodic recovery — and a site a live evaluation holds is
 * left to it, never worked on twice at once.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregatesRebuildCommand } from '../../cli/commands/aggregates.ts';
import { statusCommand } from '../../cli/commands/status.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { evaluatePendingJob } from '../../jobs/evaluate-pending.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { directJobDeps, quietLog, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
let siteId: number;
const site = 'JC-SW-WULIANG';
const hour = (n: number) => new Date(Date.parse('2026-11-20T00:00:00Z') + n * HOUR_MS);

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  config = { ...base, rules: ruleSchema.array().parse([{ id: 'nh3n-1h', kind: 'threshold', scope: { sites: [site] }, parameter: 'nh3_n', limit: 1.0, forEvaluations: 2, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' }]) };
  parameterIds = await syncConfig(database.db, config);
  siteId = (await database.db.selectFrom('site').select('id').where('code', '=', site).executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading', 'windows_pending'] as const) await database.db.deleteFrom(table).execute();
});

/** NH3-N 1.5, 1.8 at hours 1–2 stored as the ingest job stores them — and then nothing: the process died. */
async function storeAndCrash(): Promise<void> {
  const readings = ['1.5', '1.8'].map((value, i) => ({ site, parameter: 'nh3_n', period: 'hour' as const, observedAt: hour(i + 1).toISOString(), value, unit: 'mg/L', flag: 'N' }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => hour(3) }, { sourceId: null, readings, rejections: [] });
}

const alerts = () => database.db.selectFrom('alert').select(['rule_id', 'state', 'first_seen_at', 'fired_at']).execute();
const pending = () => database.db.selectFrom('windows_pending').select(['site_id', 'span_from', 'span_to', 'run_rules']).execute();

const deps = (): JobDeps => directJobDeps(config, database, parameterIds, () => hour(3));

describe('windows pending', () => {
  it('are written with the data they belong to', async () => {
    await storeAndCrash();
    expect(await pending()).toEqual([{ site_id: siteId, span_from: hour(0), span_to: hour(2), run_rules: true }]);
  });

  it('are shown by envmon status until they are paid, with the oldest one\'s age', async () => {
    await storeAndCrash();
    await sql`update windows_pending set created_at = ${hour(3)}`.execute(database.db);
    const run = async (json: boolean) => {
      const out: string[] = [];
      await statusCommand.run({ values: { json }, positionals: [] }, { config, log: quietLog, out: (t) => out.push(t) });
      return out.join('\n');
    };
    expect(JSON.parse(await run(true))).toMatchObject({ pendingEvaluations: { series: 1, oldest: hour(3).toISOString() } });
    expect(await run(false)).toContain('evaluations pending 1 (oldest since 2026-11-20 11:00)');
    await aggregatesRebuildCommand.run({ values: {}, positionals: [] }, { config, log: quietLog, out: () => undefined });
    expect(JSON.parse(await run(true))).toMatchObject({ pendingEvaluations: { series: 0, oldest: null } });
  });

  it('are finished by envmon aggregates rebuild, rules included', async () => {
    await storeAndCrash();
    const out: string[] = [];
    const code = await aggregatesRebuildCommand.run({ values: {}, positionals: [] }, { config, log: quietLog, out: (t) => out.push(t) });
    expect(code).toBe(0);
    expect(await alerts()).toEqual([{ rule_id: 'nh3n-1h', state: 'firing', first_seen_at: hour(1), fired_at: hour(2) }]);
    expect(await pending()).toEqual([]);
    expect(out.join('\n')).toMatch(/^finished the pending windows and rules of 1 series$/m);
  });

  it('are kept, and said to be, when envmon aggregates rebuild cannot finish them; the windows are rebuilt all the same', async () => {
    await storeAndCrash();
    // A fault in the site's rules (here: its alert cannot be written).
    await sql`create function envmon_test_fail_alert() returns trigger language plpgsql as $$ begin raise exception 'test fault'; end $$`.execute(database.db);
    await sql`create trigger envmon_test_fail_alert before insert on alert for each row execute function envmon_test_fail_alert()`.execute(database.db);
    try {
      const out: string[] = [];
      const notes: string[] = [];
      const code = await aggregatesRebuildCommand.run({ values: {}, positionals: [] }, { config, log: quietLog, out: (t) => out.push(t), note: (t) => notes.push(t) });
      expect(code).toBe(1);
      expect(notes.join('\n')).toContain('1 site');
      expect(out.join('\n')).toMatch(/^rebuilt \d+ windows of 1 series$/m);
      expect(await pending()).toHaveLength(1);
      expect(await alerts()).toEqual([]);
    } finally {
      await sql`drop trigger envmon_test_fail_alert on alert`.execute(database.db);
      await sql`drop function envmon_test_fail_alert()`.execute(database.db);
    }
  });

  it('left behind are finished by the recovery, which leaves a site a live evaluation holds to it', async () => {
    await storeAndCrash();
    await sql`update windows_pending set created_at = created_at - interval '1 hour'`.execute(database.db);
    const live = new pg.Client({ connectionString: database.url });
    await live.connect();
    try {
      // A live evaluation of the site holds its lock: the recovery must neither wait for it nor do its work.
      await live.query(`select pg_advisory_lock(hashtext('envmon_aggregate'), $1)`, [siteId]);
      expect(await evaluatePendingJob.process({ slot: hour(3).toISOString() }, deps())).toMatchObject({ finished: 0, busy: 1 });
      expect(await pending()).toHaveLength(1);
      expect(await alerts()).toEqual([]);
      await live.query(`select pg_advisory_unlock(hashtext('envmon_aggregate'), $1)`, [siteId]);
    } finally {
      await live.end();
    }
    expect(await evaluatePendingJob.process({ slot: hour(3).toISOString() }, deps())).toMatchObject({ finished: 1, busy: 0 });
    expect(await pending()).toEqual([]);
    expect(await alerts()).toEqual([{ rule_id: 'nh3n-1h', state: 'firing', first_seen_at: hour(1), fired_at: hour(2) }]);
  });

  it('are left alone by the recovery while they are fresh (their own job is still coming)', async () => {
    await storeAndCrash();
    expect(await evaluatePendingJob.process({ slot: hour(3).toISOString() }, deps())).toMatchObject({ finished: 0, busy: 0 });
    expect(await pending()).toHaveLength(1);
  });
});
