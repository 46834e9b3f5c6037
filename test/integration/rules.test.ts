/**
 * The rule kinds through the real evaluation path (store → refresh windows → rules → alerts, events, outbox) on
 * a real database: GB 3095 limits by date, water class against the plan target with its seasonal limit, spikes,
 * instrument flags, plan targets at risk, late data and silences.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema, type InstrumentStateRuleConfig } from '../../config/schema.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { createSilence } from '../../db/repositories/silences.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { evaluateChanges, refreshChangedSeries } from '../../evaluate/evaluate-changes.ts';
import { instrumentStateObservations } from '../../evaluate/rules/instrument-state.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { touchedSeries } from '../../ingest/touched-series.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let parameterIds: ParameterIds;
let base: AppConfig;
const partitions = new Set<string>();

beforeAll(async () => {
  database = await createTestDatabase();
  base = testConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
  parameterIds = await syncConfig(database.db, base);
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['notification_outbox', 'alert_event', 'alert', 'silence', 'window_aggregate', 'series_watermark', 'reading'] as const) await database.db.deleteFrom(table).execute();
});

const units: Record<string, string> = { pm2_5: 'μg/m³', pm10: 'μg/m³', co: 'mg/m³', nh3_n: 'mg/L', do: 'mg/L', codmn: 'mg/L', ph: 'pH' };
interface Input {
  site: string;
  parameter: string;
  at: string | number;
  value: string;
  flag?: string;
}

/** Stores readings and evaluates them with the given rules, as the evaluate job does after an ingest. */
async function deliver(rules: unknown[], inputs: readonly Input[], now: Date): Promise<void> {
  const config = { ...base, rules: ruleSchema.array().parse(rules) };
  const readings = inputs.map((i) => ({ site: i.site, parameter: i.parameter, period: 'hour' as const, observedAt: new Date(i.at).toISOString(), value: i.value, unit: units[i.parameter] ?? 'μg/m³', flag: i.flag ?? 'N' }));
  await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now: () => now }, { sourceId: null, readings, rejections: [] });
  await evaluateChanges({ db: database.db, config, parameterIds, now: () => now }, touchedSeries(readings));
}

const alerts = () => database.db.selectFrom('alert').select(['id', 'rule_id', 'state', 'late', 'evidence', 'fired_at', 'resolved_at']).orderBy('id').execute();
const outbox = () => database.db.selectFrom('notification_outbox').select(['kind', 'status', 'alert_id', 'payload']).orderBy('id').execute();
const hours = (startIso: string, values: readonly string[], site: string, parameter: string, flag?: string): Input[] =>
  values.map((value, i) => ({ site, parameter, at: Date.parse(startIso) + i * HOUR_MS, value, ...(flag ? { flag } : {}) }));

describe('rules', () => {
  it('judges a 24-h PM2.5 mean against the GB 3095 Grade II limit of its date: 75 in the 2012 edition, 60 (transition) from 2026-03-01', async () => {
    const rule = { id: 'pm25-24h', kind: 'threshold', scope: { sites: ['Dongsi'] }, parameter: 'pm2_5', window: '24h', limit: { standard: 'GB 3095', grade: 2 } };
    // 24 hours of 70 μg/m³ ending 2026-02-27 24:00 Beijing time, then 24 hours of 70 ending 2026-03-02 24:00.
    await deliver([rule], hours('2026-02-26T17:00:00Z', Array(24).fill('70'), 'Dongsi', 'pm2_5'), new Date('2026-02-27T17:00:00Z'));
    expect(await alerts()).toEqual([]);
    await deliver([rule], hours('2026-03-01T17:00:00Z', Array(24).fill('70'), 'Dongsi', 'pm2_5'), new Date('2026-03-02T17:00:00Z'));
    const [alert] = await alerts();
    expect(alert?.state).toBe('firing');
    expect(alert?.evidence).toMatchObject({ value: '70', window: '24h', limit: 60, standard: 'GB 3095-2026', validCount: 24 });
    expect((alert?.evidence as { limitSource: string }).limitSource).toContain('GB 3095-2026 表1 二级（过渡期） PM2.5 24小时平均 60');
  });

  it('opens a water-class alert when the section is worse than its plan target, with the seasonal NH3-N limit instead of the class limit', async () => {
    const rule = { id: 'wuliang-class', kind: 'water_class', scope: { sites: ['JC-SW-WULIANG'] } };
    const at = '2026-11-20T04:00:00Z'; // November: winter, NH3-N ≤ 8 mg/L by the plan
    await deliver([rule], [
      { site: 'JC-SW-WULIANG', parameter: 'do', at, value: '6.1' },
      { site: 'JC-SW-WULIANG', parameter: 'codmn', at, value: '5.2' },
      { site: 'JC-SW-WULIANG', parameter: 'nh3_n', at, value: '6.5' },
    ], new Date(at));
    expect(await alerts()).toEqual([]); // class III by DO and CODMn; NH3-N within the winter limit
    const later = '2026-11-20T08:00:00Z';
    await deliver([rule], [
      { site: 'JC-SW-WULIANG', parameter: 'do', at: later, value: '6.1' },
      { site: 'JC-SW-WULIANG', parameter: 'codmn', at: later, value: '8.4' }, // Class IV (≤ 10)
      { site: 'JC-SW-WULIANG', parameter: 'nh3_n', at: later, value: '8.2' },
    ], new Date(later));
    const [alert] = await alerts();
    expect(alert?.state).toBe('firing');
    expect(alert?.evidence).toMatchObject({ class: 'IV', targetClass: 'III', worst: [{ parameter: 'codmn', class: 'IV', value: '8.4' }], seasonalLimits: [{ parameter: 'nh3_n', limit: 8, value: '8.2', breached: true }] });
    expect((alert?.evidence as { target: string }).target).toContain('JC-WULIANG-2025');
  });

  it('flags a spike from one hour to the next, and clears on the next ordinary hour', async () => {
    const rule = { id: 'pm10-spike', kind: 'rate_of_change', scope: { sites: ['Dongsi'] }, parameter: 'pm10', maxRise: 100, minValue: 50 };
    await deliver([rule], hours('2026-11-20T00:00:00Z', ['40', '60', '190', '185', '120'], 'Dongsi', 'pm10'), new Date('2026-11-20T05:00:00Z'));
    const [alert] = await alerts();
    // 60 → 190 rises by 130 (> 100): fired at 10:00 Beijing; 190 → 185 is no spike, so it resolved at 11:00.
    expect(await alerts()).toHaveLength(1);
    expect(alert).toMatchObject({ state: 'resolved', evidence: { value: '185', previous: '190' } });
    expect(alert?.fired_at?.toISOString()).toBe('2026-11-20T02:00:00.000Z');
    expect(alert?.resolved_at?.toISOString()).toBe('2026-11-20T03:00:00.000Z');
    expect((await outbox()).map((o) => o.kind)).toEqual(['alert', 'resolution']);
  });

  it('opens an instrument alert after the values carry maintenance/fault flags for the set hours', async () => {
    const rule = { id: 'instrument', kind: 'instrument_state', scope: { sites: ['Dongsi'] }, afterHours: 3 };
    await deliver([rule], [...hours('2026-11-20T00:00:00Z', ['30'], 'Dongsi', 'co'), ...hours('2026-11-20T01:00:00Z', ['0', '0'], 'Dongsi', 'co', 'M')], new Date('2026-11-20T03:00:00Z'));
    expect(await alerts()).toEqual([]);
    await deliver([rule], hours('2026-11-20T03:00:00Z', ['0'], 'Dongsi', 'co', 'D'), new Date('2026-11-20T04:00:00Z'));
    expect((await alerts()).map((a) => [a.state, (a.evidence as { flaggedHours: number }).flaggedHours])).toEqual([['firing', 3]]);
    await deliver([rule], hours('2026-11-20T04:00:00Z', ['0.8'], 'Dongsi', 'co'), new Date('2026-11-20T05:00:00Z'));
    expect((await alerts()).map((a) => a.state)).toEqual(['resolved']);
  });

  it('trips an instrument rule on a river section sampled every 4 hours, by the time flagged', async () => {
    const rule = { id: 'instrument', kind: 'instrument_state', scope: { sites: ['JC-SW-WULIANG'] }, afterHours: 6 };
    // Normal at 04:00 Beijing, then the analyser reports a fault (D) at 08:00, 12:00 and 16:00: flagged since 07:00,
    // 5 hours by the second flagged sample, 9 by the third.
    const at = (h: number) => Date.parse('2026-11-19T20:00:00Z') + h * HOUR_MS;
    await deliver([rule], [{ site: 'JC-SW-WULIANG', parameter: 'codmn', at: at(0), value: '5.1' }, ...[4, 8].map((h) => ({ site: 'JC-SW-WULIANG', parameter: 'codmn', at: at(h), value: '0', flag: 'D' }))], new Date(at(8)));
    expect(await alerts()).toEqual([]);
    await deliver([rule], [{ site: 'JC-SW-WULIANG', parameter: 'codmn', at: at(12), value: '0', flag: 'D' }], new Date(at(12)));
    const [alert] = await alerts();
    expect(alert).toMatchObject({ state: 'firing', evidence: { flag: 'D', flaggedHours: 9, samples: 3, since: '2026-11-19T23:00:00.000Z' } });
    await deliver([rule], [{ site: 'JC-SW-WULIANG', parameter: 'codmn', at: at(16), value: '5.3' }], new Date(at(16)));
    expect((await alerts()).map((a) => a.state)).toEqual(['resolved']);
  });

  it('observes each flagged sample once when two separate spans of one series changed', async () => {
    const rule = ruleSchema.parse({ id: 'instrument', kind: 'instrument_state', scope: { sites: ['Dongsi'] }, afterHours: 1 }) as InstrumentStateRuleConfig;
    // CO flagged M at 01:00 and 02:00, normal at 03:00, flagged again at 06:00: stored as two batches far apart, as
    // pending marks of two batches reach the rules.
    const inputs = [...hours('2026-11-20T01:00:00Z', ['0', '0'], 'Dongsi', 'co', 'M'), ...hours('2026-11-20T03:00:00Z', ['0.5'], 'Dongsi', 'co'), ...hours('2026-11-20T06:00:00Z', ['0'], 'Dongsi', 'co', 'M')];
    const readings = inputs.map((i) => ({ site: i.site, parameter: i.parameter, period: 'hour' as const, observedAt: new Date(i.at).toISOString(), value: i.value, unit: 'mg/m³', flag: i.flag ?? 'N' }));
    await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now: () => new Date('2026-11-20T07:00:00Z') }, { sourceId: null, readings, rejections: [] });
    const changes = new Map([['Dongsi', [{ parameter: 'co', from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T03:00:00.000Z' }, { parameter: 'co', from: '2026-11-20T05:00:00.000Z', to: '2026-11-20T06:00:00.000Z' }]]]);
    const { siteIds, refreshed } = await refreshChangedSeries(database.db, changes, parameterIds);
    const codes = new Map([...siteIds].map(([code, id]) => [id, code]));
    const context = { db: database.db, config: { ...base, rules: [rule] }, now: new Date('2026-11-20T07:00:00Z'), siteIds, parameterIds, changes, refreshed: new Map(refreshed.map((r) => [`${codes.get(r.siteId) ?? ''}|${r.parameter}`, r])) };
    const observed = await instrumentStateObservations(context, rule);
    expect(observed.map((o) => [new Date(o.at).toISOString(), o.breaching])).toEqual([
      ['2026-11-20T01:00:00.000Z', true],
      ['2026-11-20T02:00:00.000Z', true],
      ['2026-11-20T03:00:00.000Z', false],
      ['2026-11-20T06:00:00.000Z', true],
    ]);
  });

  it('counts only consecutive values for persistence: a missing hour between two breaches resets the count', async () => {
    const rule = { id: 'nh3-1h', kind: 'threshold', scope: { sites: ['Dongsi'] }, parameter: 'nh3_n', limit: 1.0, limitSource: 'test limit', forEvaluations: 2 };
    // Twelve ordinary hours set the series' spacing (1 h); then 1.2 at 13:00, nothing at 14:00, 1.3 at 15:00.
    const history = hours('2026-11-20T00:00:00Z', Array(12).fill('0.5'), 'Dongsi', 'nh3_n');
    await deliver([rule], [...history, ...hours('2026-11-20T12:00:00Z', ['1.2'], 'Dongsi', 'nh3_n'), ...hours('2026-11-20T14:00:00Z', ['1.3'], 'Dongsi', 'nh3_n')], new Date('2026-11-20T14:00:00Z'));
    expect((await alerts()).map((a) => a.state)).not.toContain('firing');
    // 1.4 at 16:00 follows 15:00 without a gap: two consecutive breaches.
    await deliver([rule], hours('2026-11-20T15:00:00Z', ['1.4'], 'Dongsi', 'nh3_n'), new Date('2026-11-20T15:00:00Z'));
    const firing = (await alerts()).filter((a) => a.state === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]?.fired_at?.toISOString()).toBe('2026-11-20T15:00:00.000Z');
  });

  it('counts 4-hourly samples 4 hours apart as consecutive', async () => {
    const rule = { id: 'nh3-1h', kind: 'threshold', scope: { sites: ['JC-SW-WULIANG'] }, parameter: 'nh3_n', limit: 1.0, limitSource: 'test limit', forEvaluations: 2 };
    // A day of 4-hourly samples under the limit, then 1.2 and 1.3 four hours apart.
    const samples = ['0.8', '0.7', '0.9', '0.8', '0.6', '0.7', '1.2', '1.3'].map((value, i) => ({ site: 'JC-SW-WULIANG', parameter: 'nh3_n', at: Date.parse('2026-11-20T00:00:00Z') + i * 4 * HOUR_MS, value }));
    await deliver([rule], samples, new Date('2026-11-21T04:00:00Z'));
    expect((await alerts()).map((a) => [a.state, a.fired_at?.toISOString()])).toEqual([['firing', '2026-11-21T04:00:00.000Z']]);
  });

  it('puts a plan target at risk when the year-to-date value misses it, with what the rest of the year needs', async () => {
    const rule = { id: 'plan-at-risk', kind: 'target_at_risk', targets: ['JC-PM25-2025'] };
    // 2025-01-01: 24 hours of 80 μg/m³ at the county town; the 2025 target is an annual mean ≤ 44.
    await deliver([rule], hours('2024-12-31T17:00:00Z', Array(24).fill('80'), 'JC-AIR-TOWN', 'pm2_5'), new Date('2025-01-01T17:00:00Z'));
    const [alert] = await alerts();
    expect(alert?.state).toBe('firing');
    expect(alert?.evidence).toMatchObject({ target: 'JC-PM25-2025', current: '80', required: '≤ 44', asOf: '2025-01-01', origin: null });
    // The annual mean is published as an integer: ≤ 44 holds up to a mean of 44.5 over the 365 days, a sum of
    // 16242.5; the 364 remaining (integer) day values may sum to 16242 − 80 = 16162, 44.40… a day, shown as 44.4.
    expect((alert?.evidence as { projection: string }).projection).toBe('剩余 364 天 PM2.5 日均值平均需 ≤ 44.4 μg/m³（全年均值修约为整数后 ≤ 44）');
  });

  it('judges late data at its own times: a late exceedance is stored as late, notified once, and never again on re-delivery', async () => {
    const rule = { id: 'pm25-1h', kind: 'threshold', scope: { sites: ['Dongsi'] }, parameter: 'pm2_5', limit: 100, limitSource: 'test limit', forEvaluations: 2 };
    const now = new Date('2026-11-20T12:00:00Z');
    await deliver([rule], hours('2026-11-20T06:00:00Z', ['40', '45', '50', '42'], 'Dongsi', 'pm2_5'), now);
    expect(await alerts()).toEqual([]);
    // Two hours before those arrive late (a station's buffer flushed), both over the limit.
    const late = hours('2026-11-20T03:00:00Z', ['130', '140', '60'], 'Dongsi', 'pm2_5');
    await deliver([rule], late, now);
    const [alert] = await alerts();
    expect(alert).toMatchObject({ state: 'resolved', late: true, evidence: { late: true, lateRun: { from: '2026-11-20T03:00:00.000Z', to: '2026-11-20T04:00:00.000Z', evaluations: 2 } } });
    await deliver([rule], late.map((l) => ({ ...l, value: l.value === '60' ? '61' : l.value })), now);
    expect(await alerts()).toHaveLength(1);
    expect((await outbox()).map((o) => o.kind)).toEqual(['alert']);
  });

  it('keeps the notifications of a silenced alert as suppressed, and of an alert in a maintenance window', async () => {
    const rule = { id: 'pm25-1h', kind: 'threshold', scope: { sites: ['Dongsi', 'Tiantan'] }, parameter: 'pm2_5', limit: 100, limitSource: 'test limit' };
    const now = new Date('2026-11-20T12:00:00Z');
    const silence = await createSilence(database.db, { matcher: { site: 'Dongsi' }, startsAt: new Date('2026-11-20T11:00:00Z'), endsAt: new Date('2026-11-20T13:00:00Z'), reason: 'calibration visit', createdBy: 'ops' });
    await deliver([rule], [...hours('2026-11-20T11:00:00Z', ['150'], 'Dongsi', 'pm2_5'), ...hours('2026-11-20T11:00:00Z', ['150'], 'Tiantan', 'pm2_5')], now);
    const rows = await outbox();
    expect(rows.map((o) => [o.status, (o.payload as { site: string }).site])).toEqual(expect.arrayContaining([['suppressed', 'Dongsi'], ['pending', 'Tiantan']]));
    expect(rows.find((o) => o.status === 'suppressed')?.payload).toMatchObject({ suppressedBy: 'calibration visit' });
    expect(silence).toBeGreaterThan(0);

    const config = { ...base, maintenance: [{ sites: ['Guanyuan'], from: '2026-11-20T00:00:00Z', to: '2026-11-20T06:00:00Z', reason: '更换采样头' }] };
    const readings = [{ site: 'Guanyuan', parameter: 'pm2_5', period: 'hour' as const, observedAt: '2026-11-20T05:00:00.000Z', value: '180', unit: 'μg/m³', flag: 'N' }];
    await storeBatch({ db: database.db, pool: database.pool, parameterIds, partitions, now: () => now }, { sourceId: null, readings, rejections: [] });
    await evaluateChanges({ db: database.db, config: { ...config, rules: ruleSchema.array().parse([{ ...rule, scope: { sites: ['Guanyuan'] } }]) }, parameterIds, now: () => now }, touchedSeries(readings));
    const maintenance = (await outbox()).find((o) => (o.payload as { site: string }).site === 'Guanyuan');
    expect(maintenance).toMatchObject({ status: 'suppressed', payload: { suppressedBy: '维护 maintenance: 更换采样头' } });
  });
});
