/**
 * The newest value of every series, read the two ways the repository reads it — a shared hour read whole, a
 * straggler looked up by key — must give the same answer, and the one written out here by hand from the seed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { siteSchema } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { latestValues, type LatestValue } from '../../db/repositories/latest-values.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { hourlyRows, storeHours } from '../support/console-seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const root = path.resolve(import.meta.dirname, '../..');
const NOW = new Date('2025-11-20T04:30:00Z');
const at = (beijing: string) => Date.parse(`${beijing}+08:00`);

let database: TestDatabase;
let parameterIds: ParameterIds;

beforeAll(async () => {
  database = await createTestDatabase();
  const sites = siteSchema.array().parse([
    { code: 'A1', nameZh: '甲', nameEn: 'A1', kind: 'air_station', area: '北区' },
    { code: 'A2', nameZh: '乙', nameEn: 'A2', kind: 'air_station', area: '北区' },
    { code: 'W1', nameZh: '丙', nameEn: 'W1', kind: 'surface_water', area: '南区', waterBody: 'river' },
  ]);
  parameterIds = await syncConfig(database.db, { ...loadConfig({}, root), sites, sources: [], targets: [], rules: [] });
  const deps = { db: database.db, pool: database.pool, parameterIds, now: () => NOW };
  // A1: 24 hours of PM2.5 rising 1…24 to 12:00 (24-h mean 12.5, stored as 12: PM2.5 in whole μg/m³, half to even
  // per GB/T 8170) and NO2 40 to 12:00.
  await storeHours(deps, null, null, hourlyRows('A1', { pm2_5: (i) => String(i + 1), no2: '40' }, at('2025-11-20T12:00:00'), 24));
  // A2: PM2.5 30 for 3 hours to 11:00 (too few hours for a 24-h mean), NO2 flagged H at 11:00.
  await storeHours(deps, null, null, hourlyRows('A2', { pm2_5: '30' }, at('2025-11-20T11:00:00'), 3));
  await storeHours(deps, null, null, [{ site: 'A2', parameter: 'no2', period: 'hour', observedAt: new Date(at('2025-11-20T11:00:00')).toISOString(), value: '55', unit: 'μg/m³', flag: 'H' }]);
  // W1: DO 7.6 at 08:00.
  await storeHours(deps, null, null, hourlyRows('W1', { do: '7.6' }, at('2025-11-20T08:00:00'), 1));
});

afterAll(async () => {
  await database?.drop();
});

const id = (code: string) => parameterIds.get(code) as number;
const sorted = (rows: LatestValue[]) => [...rows].sort((a, b) => a.siteId - b.siteId || a.parameterId - b.parameterId);

describe('latestValues', () => {
  it('gives each series its newest hour, value, flag and 24-h mean', async () => {
    const siteId = new Map((await database.db.selectFrom('site').select(['id', 'code']).execute()).map((s) => [s.code, s.id]));
    const expected: LatestValue[] = [
      { siteId: siteId.get('A1') as number, parameterId: id('pm2_5'), latestHour: new Date(at('2025-11-20T12:00:00')), value: '24', flag: 'N', mean24: '12' },
      { siteId: siteId.get('A1') as number, parameterId: id('no2'), latestHour: new Date(at('2025-11-20T12:00:00')), value: '40', flag: 'N', mean24: null },
      { siteId: siteId.get('A2') as number, parameterId: id('pm2_5'), latestHour: new Date(at('2025-11-20T11:00:00')), value: '30', flag: 'N', mean24: null },
      { siteId: siteId.get('A2') as number, parameterId: id('no2'), latestHour: new Date(at('2025-11-20T11:00:00')), value: '55', flag: 'H', mean24: null },
      { siteId: siteId.get('W1') as number, parameterId: id('do'), latestHour: new Date(at('2025-11-20T08:00:00')), value: '7.6', flag: 'N', mean24: null },
    ];
    // Every hour shared (read whole, where 11:00 also holds A1's older rows), then every series a straggler.
    const whole = await latestValues(database.db, { area: null, kind: null }, [id('pm2_5')], 0);
    const byKey = await latestValues(database.db, { area: null, kind: null }, [id('pm2_5')], Number.POSITIVE_INFINITY);
    expect(sorted(whole).map(normalize)).toEqual(sorted(expected));
    expect(sorted(byKey).map(normalize)).toEqual(sorted(expected));
  });

  it('keeps to the filter', async () => {
    const south = await latestValues(database.db, { area: '南区', kind: null }, [], 0);
    expect(south.map((r) => [r.parameterId, r.value])).toEqual([[id('do'), '7.6']]);
  });
});

/** Stored decimals come back in numeric's own text ("12.5", "7.6"); compare them as written. */
function normalize(r: LatestValue): LatestValue {
  return { ...r, value: r.value === null ? null : String(Number(r.value)), mean24: r.mean24 === null ? null : String(Number(r.mean24)) };
}
