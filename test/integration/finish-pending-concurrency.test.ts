/**
 * Pending marks of many sites are paid by several transactions at once (evaluate/finish-pending.ts): a transaction
 * waiting for a site another evaluation holds does not hold up the other sites, and what the transactions store —
 * windows, alerts — is what the readings give, whatever order they committed in.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import { recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import type { AggregateRow } from '../../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { finishPending } from '../../evaluate/finish-pending.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { parseDecimal } from '../../lib/decimal.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let config: AppConfig;
const sites = Array.from({ length: 6 }, (_, i) => `CC-${i + 1}`);
let siteIds: Map<string, number>;
/** Hour ends 2026-11-20 01:00 … 04:00 Beijing time. */
const hour = (n: number) => new Date(Date.parse('2026-11-19T16:00:00Z') + n * HOUR_MS);
const now = () => hour(5);

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  config = {
    ...base,
    sites: sites.map((code) => ({ code, nameZh: code, nameEn: code, kind: 'air_station' as const, area: 'concurrency', timeZone: 'Asia/Shanghai' })),
    sources: [],
    targets: [],
    rules: ruleSchema.array().parse([{ id: 'pm25-1h', kind: 'threshold', scope: { areas: ['concurrency'] }, parameter: 'pm2_5', window: '1h', limit: 75, forEvaluations: 2, limitSource: 'test limit' }]),
  };
  parameterIds = await syncConfig(database.db, config);
  siteIds = new Map((await database.db.selectFrom('site').select(['id', 'code']).where('code', 'in', sites).execute()).map((s) => [s.code, s.id]));
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading', 'windows_pending'] as const) await database.db.deleteFrom(table).execute();
});

/** PM2.5 of site i at hour h: the even sites over 75 from hour 2 on (so two breaches by hour 3), the odd ones never. */
const value = (i: number, h: number) => (i % 2 === 0 && h >= 2 ? 80 + i + h : 20 + i * 3 + h);

async function store(hours: readonly number[]): Promise<void> {
  const readings = sites.flatMap((site, i) => hours.map((h) => ({ site, parameter: 'pm2_5', period: 'hour' as const, observedAt: hour(h).toISOString(), value: String(value(i, h)), unit: 'μg/m³', flag: 'N' })));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now }, { sourceId: null, readings, rejections: [] });
}

const pendingSites = async () => (await database.db.selectFrom('windows_pending').select('site_id').distinct().orderBy('site_id').execute()).map((r) => r.site_id);

describe('pending marks paid by concurrent transactions', () => {
  it('a transaction waiting for a site another evaluation holds does not hold up the other sites', async () => {
    await store([1, 2, 3]);
    const held = siteIds.get('CC-1') as number;
    // Another evaluation holds the first site: its transaction has taken the site's aggregate lock.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`select pg_advisory_xact_lock(hashtext('envmon_aggregate'), $1)`, [held]);
      const finishing = finishPending({ db: database.db, parameterIds, config, now }, { wait: true, sitesPerTransaction: 1, concurrency: 2 });
      // One transaction waits for the held site; the other pays every other site meanwhile.
      await vi.waitFor(async () => expect(await pendingSites()).toEqual([held]), { timeout: 30_000, interval: 50 });
      await other.query('rollback');
      const result = await finishing;
      expect(result).toMatchObject({ sites: sites.length, series: sites.length, busy: 0, failed: 0 });
    } finally {
      await other.end();
    }
    expect(await pendingSites()).toEqual([]);
  });

  it('store the windows and alerts the readings give', async () => {
    // Three hours in three batches, each paid by transactions of one site, three at a time.
    for (const h of [1, 2, 3]) {
      await store([h]);
      await finishPending({ db: database.db, parameterIds, config, now }, { wait: true, sitesPerTransaction: 1, concurrency: 3 });
    }
    const alerts = await database.db.selectFrom('alert').select(['site_id', 'state', 'first_seen_at', 'fired_at']).orderBy('site_id').execute();
    const expected = sites.flatMap((code, i) => (i % 2 === 0 ? [{ site_id: siteIds.get(code) as number, state: 'firing', first_seen_at: hour(2), fired_at: hour(3) }] : []));
    expect(alerts).toEqual(expected);

    const series = sites.map((code) => ({ siteId: siteIds.get(code) as number, parameterId: parameterIds.get('pm2_5') as number, parameter: 'pm2_5' }));
    const reference = await recomputeAggregates(database.db, series, hour(1), hour(3));
    const stored = await database.db.selectFrom('window_aggregate').selectAll().execute();
    const key = (r: { siteId: number; kind: string; windowEnd: Date }) => `${r.siteId}|${r.kind}|${r.windowEnd.toISOString()}`;
    const canonical = (r: AggregateRow) => ({ ...r, sum: r.sum === null ? null : parseDecimal(r.sum), value: r.value === null ? null : parseDecimal(r.value), maxHour: r.maxHour === null ? null : parseDecimal(r.maxHour) });
    const storedRows = stored.map((r) => canonical({ siteId: r.site_id, parameterId: r.parameter_id, kind: r.kind, windowEnd: r.window_end, sum: r.sum, validCount: r.valid_count, value: r.value, maxHour: r.max_hour, hourCount: r.hour_count }));
    expect(reference.length).toBeGreaterThan(sites.length * 3);
    expect(storedRows.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(reference.map(canonical).sort((a, b) => key(a).localeCompare(key(b))));
  });
});
