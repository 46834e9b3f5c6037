/**
 * An `evaluate` job that dies part-way and is run again leaves exactly what one clean run leaves: the windows,
 * the watermark and the rule outcomes (alerts, events, outbox rows) are one unit of work. The failure is injected
 * in the database — a trigger that fails the first alert write of the run, after the windows step — so the job's
 * code runs unchanged.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateJob, type EvaluatePayload } from '../../jobs/evaluate.ts';
import type { JobDeps } from '../../jobs/job-deps.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { derivedState } from '../support/derived-state.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { directJobDeps, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
const now = new Date('2026-11-20T12:00:00Z');
const site = 'JC-SW-WULIANG';

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  parameterIds = await syncConfig(database.db, base);
  config = {
    ...base,
    rules: ruleSchema.array().parse([
      // Persistence: two breaching hours fire; hysteresis: back at or under 0.9 clears.
      { id: 'nh3n-1h', kind: 'threshold', scope: { sites: [site] }, parameter: 'nh3_n', limit: 1.0, clearAt: 0.9, forEvaluations: 2, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L' },
      // The 8-hour moving mean (6 valid hours make it valid), read from the windows the same run refreshes.
      { id: 'nh3n-8h', kind: 'threshold', scope: { sites: [site] }, parameter: 'nh3_n', window: '8h', limit: 1.2, limitSource: 'test limit on the 8-h mean' },
    ]),
  };
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  await sql`drop trigger if exists fail_first_alert_write on alert`.execute(database.db);
  await sql`drop function if exists envmon_test_fail_once()`.execute(database.db);
  await sql`drop sequence if exists envmon_test_failures`.execute(database.db);
  for (const table of ['notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading'] as const) await database.db.deleteFrom(table).execute();
  await database.db.deleteFrom('windows_pending').execute();
});

const deps = (): JobDeps => directJobDeps(config, database, parameterIds, () => now);

/** Hour ends from 2026-11-20 01:00 UTC (09:00 Beijing), one value an hour. */
const hour = (n: number) => new Date(Date.parse('2026-11-20T00:00:00Z') + n * HOUR_MS).toISOString();

/** Stores NH3-N values for hours first … first + n − 1, as the ingest job does; returns the evaluate job it queues. */
async function ingest(first: number, values: readonly string[]): Promise<EvaluatePayload> {
  const readings = values.map((value, i) => ({ site, parameter: 'nh3_n', period: 'hour' as const, observedAt: hour(first + i), value, unit: 'mg/L', flag: 'N' }));
  const result = await storeBatch(deps(), { sourceId: null, readings, rejections: [] });
  expect(result.stored).toBe(values.length);
  const [payload] = [...touchedSeries(readings)].map(([s, series]) => ({ site: s, series, marked: true }));
  if (!payload) throw new Error('nothing touched');
  return payload;
}

/** Fails the next write to `alert` once — after the run has refreshed its windows — as a crash there would. */
async function failFirstAlertWrite(): Promise<void> {
  await sql`create sequence envmon_test_failures`.execute(database.db);
  await sql`
    create function envmon_test_fail_once() returns trigger language plpgsql as $$
    begin
      if nextval('envmon_test_failures') = 1 then raise exception 'injected failure after the windows step'; end if;
      return null;
    end $$`.execute(database.db);
  await sql`create trigger fail_first_alert_write before insert or update on alert for each statement execute function envmon_test_fail_once()`.execute(database.db);
}

// Hours 1–6: 0.5 0.6 | 1.5 (pending) 1.8 (fires) 2.0 2.2; hours 7–10: 0.7 (≤ 0.9: resolves) 0.6 | 1.6 (pending) 1.7 (fires).
const firstBatch = ['0.5', '0.6', '1.5', '1.8', '2.0', '2.2'];
const secondBatch = ['0.7', '0.6', '1.6', '1.7'];

describe('a retried evaluation', () => {
  it('gives the same alerts, events, outbox rows and windows as a clean run when its first attempt dies after the windows step', async () => {
    await evaluateJob.process(await ingest(1, firstBatch), deps());
    await evaluateJob.process(await ingest(7, secondBatch), deps());
    const clean = await derivedState(database.db);

    // The states a person reads off the values above, independently of the code.
    const summary = clean.alerts.map((a) => [a.dedup_key, a.state, a.first_seen_at.toISOString(), a.fired_at?.toISOString() ?? null, a.resolved_at?.toISOString() ?? null]);
    expect(summary).toEqual([
      // 1-h rule: pending at hour 3, fires at 4, resolves at 7 (0.7 ≤ 0.9); pending again at 9, fires at 10.
      [`nh3n-1h|${site}|nh3_n`, 'resolved', hour(3), hour(4), hour(7)],
      [`nh3n-1h|${site}|nh3_n`, 'firing', hour(9), hour(10), null],
      // 8-h mean: first valid at hour 6 (6 values, mean 8.6 / 6 ≈ 1.43 > 1.2); 9.3/7, 9.9/8, 11.0/8, 12.1/8 stay above.
      [`nh3n-8h|${site}|nh3_n`, 'firing', hour(6), hour(6), null],
    ]);
    // By alert in the order above: the first 1-h alert fired and resolved, the second fired, the 8-h one fired.
    expect(clean.outbox.map((o) => [o.alert_id, o.kind, o.dedup_key])).toEqual([
      [0, 'alert', 'alert:*:firing'],
      [0, 'resolution', 'alert:*:resolved'],
      [1, 'alert', 'alert:*:firing'],
      [2, 'alert', 'alert:*:firing'],
    ]);

    // The same deliveries, with the second batch's first attempt dying after its windows were computed.
    for (const table of ['notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading'] as const) await database.db.deleteFrom(table).execute();
    await database.db.deleteFrom('windows_pending').execute();
    await evaluateJob.process(await ingest(1, firstBatch), deps());
    const second = await ingest(7, secondBatch);
    await failFirstAlertWrite();
    await expect(evaluateJob.process(second, deps())).rejects.toThrow(/injected failure after the windows step/);
    await evaluateJob.process(second, deps());
    expect(await derivedState(database.db)).toEqual(clean);
  });

});
