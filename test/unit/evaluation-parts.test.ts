import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../cli/commands/silences.ts';
import { affectedWindows, monthPeriod } from '../../standards/aggregate-windows.ts';
import { lateBreachRuns } from '../../evaluate/alert-state.ts';
import { flaggedRuns } from '../../evaluate/rules/instrument-state.ts';
import { expectedSpacing } from '../../evaluate/series-spacing.ts';
import { decimalOfNumber } from '../../lib/decimal-number.ts';
import { isSpike } from '../../evaluate/rules/rate-of-change.ts';
import { maintenanceSilences } from '../../db/repositories/silences.repository.ts';
import { coveringSilence } from '../../evaluate/suppression.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { gb3095Limit } from '../../standards/air-limits.ts';

const t = (iso: string) => Date.parse(iso);

describe('windows a change touches', () => {
  it('a new hour at the tip: the moving windows ending at it, its day, month and year', () => {
    const hour = t('2026-10-16T02:00:00Z'); // 10:00 Beijing
    const w = affectedWindows([{ from: hour - HOUR_MS, to: hour }], hour - HOUR_MS, hour);
    expect(w.moving).toEqual([[hour, hour]]);
    expect(w.days).toEqual([t('2026-10-16T16:00:00Z')]);
    expect(w.months).toEqual([{ from: t('2026-09-30T16:00:00Z'), to: t('2026-10-31T16:00:00Z'), minimum: 27 }]);
    expect(w.years).toEqual([{ from: t('2025-12-31T16:00:00Z'), to: t('2026-12-31T16:00:00Z'), minimum: 324 }]);
  });

  it('a late hour: every moving window that holds it, up to the watermark, and the days they end in', () => {
    const late = t('2026-10-15T15:00:00Z'); // 23:00 Beijing on the 15th
    const watermark = t('2026-10-16T02:00:00Z');
    const w = affectedWindows([{ from: late - HOUR_MS, to: late }], watermark, watermark);
    expect(w.moving).toEqual([[late, watermark]]);
    expect(w.days).toEqual([t('2026-10-15T16:00:00Z'), t('2026-10-16T16:00:00Z')]);
  });

  it('a late hour far behind the watermark: only the moving windows holding it, the 24 ending at it … 23 hours later', () => {
    const late = t('2026-10-14T20:00:00Z'); // 04:00 Beijing on the 15th, 30 hours behind the watermark
    const watermark = t('2026-10-16T02:00:00Z');
    const w = affectedWindows([{ from: late - HOUR_MS, to: late }], watermark, watermark);
    expect(w.moving).toEqual([[late, t('2026-10-15T19:00:00Z')]]);
    // The windows end on the 15th and, from 00:00 Beijing, the 16th.
    expect(w.days).toEqual([t('2026-10-15T16:00:00Z'), t('2026-10-16T16:00:00Z')]);
  });

  it('a watermark jump after a gap: the windows between old and new watermark come into being', () => {
    const old = t('2026-10-16T02:00:00Z');
    const now = old + 30 * HOUR_MS;
    const w = affectedWindows([{ from: now - HOUR_MS, to: now }], old, now);
    expect(w.moving).toEqual([[old + HOUR_MS, now]]);
  });

  it('months need 27 valid days, February 25 (GB 3095-2012 Table 4)', () => {
    expect(monthPeriod('2026-02').minimum).toBe(25);
    expect(monthPeriod('2026-12')).toEqual({ from: t('2026-11-30T16:00:00Z'), to: t('2026-12-31T16:00:00Z'), minimum: 27 });
  });
});

describe('GB 3095 limits by date', () => {
  it('takes the 2012 edition up to 2026-02-28 24:00 Beijing time, then the 2026 transition limits, then the final ones', () => {
    expect(gb3095Limit('pm2_5', '24h', 2, new Date('2026-02-28T16:00:00Z'))).toMatchObject({ limit: 75, edition: 'GB 3095-2012' });
    expect(gb3095Limit('pm2_5', 'day', 2, new Date('2026-03-01T16:00:00Z'))).toMatchObject({ limit: 60, edition: 'GB 3095-2026' });
    // GB 3095-2026 §4.4: transition limits to 2030-12-31 (its 24:00 is 16:00 UTC), final limits from 2031-01-01.
    expect(gb3095Limit('pm2_5', '24h', 2, new Date('2030-12-31T16:00:00Z'))).toMatchObject({ limit: 60, edition: 'GB 3095-2026' });
    expect(gb3095Limit('pm2_5', '24h', 2, new Date('2031-01-01T16:00:00Z'))).toMatchObject({ limit: 50, edition: 'GB 3095-2026' });
    expect(gb3095Limit('pm10', '24h', 2, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ limit: 120 });
    expect(gb3095Limit('o3', '8h', 2, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ limit: 160 });
    expect(gb3095Limit('no2', '1h', 1, new Date('2020-06-01T00:00:00Z'))?.clause).toBe('GB 3095-2012 表1 一级 NO2 1小时平均 200 μg/m³');
    expect(gb3095Limit('pm2_5', '8h', 2, new Date('2026-06-01T00:00:00Z'))).toBeNull();
    expect(gb3095Limit('nh3_n', '1h', 2, new Date('2026-06-01T00:00:00Z'))).toBeNull();
  });
});

describe('rule helpers', () => {
  it('late breach runs: consecutive breaches long enough to fire', () => {
    const o = (at: number, breaching: boolean) => ({ at, breaching, cleared: !breaching });
    expect(lateBreachRuns([o(1, true), o(2, true), o(3, false), o(4, true), o(5, true), o(6, true)], 2).map((r) => r.map((x) => x.at))).toEqual([[1, 2], [4, 5, 6]]);
    expect(lateBreachRuns([o(1, true), o(2, false), o(3, true)], 2)).toEqual([]);
  });

  it('instrument flags: elapsed time over consecutive flagged samples; a gap does not break the run, a normal value does', () => {
    const h = (n: number, flag: string) => ({ at: n * HOUR_MS, flag });
    const runs = flaggedRuns([h(1, 'N'), h(2, 'M'), h(3, 'D'), h(4, 'C'), h(6, 'M'), h(7, 'N')], ['M', 'C', 'D']);
    // From the start of the 02:00 hour (01:00): 1, 2, 3 and (05:00 missing) 5 hours.
    expect([...runs].map(([at, r]) => [at / HOUR_MS, r && { samples: r.samples, hours: (at - r.since) / HOUR_MS }])).toEqual([
      [1, null],
      [2, { samples: 1, hours: 1 }],
      [3, { samples: 2, hours: 2 }],
      [4, { samples: 3, hours: 3 }],
      [6, { samples: 4, hours: 5 }],
      [7, null],
    ]);
  });

  it('instrument flags on a river section sampled every 4 hours: 9 hours flagged by the third flagged sample', () => {
    const h = (n: number, flag: string) => ({ at: n * HOUR_MS, flag });
    const runs = flaggedRuns([h(0, 'N'), h(4, 'D'), h(8, 'D'), h(12, 'D'), h(16, 'N')], ['D']);
    expect([4, 8, 12].map((t) => (t * HOUR_MS - (runs.get(t * HOUR_MS)?.since ?? NaN)) / HOUR_MS)).toEqual([1, 5, 9]);
    expect(runs.get(16 * HOUR_MS)).toBeNull();
    // A run that began before the values read continues from where it began.
    const carried = flaggedRuns([h(20, 'D')], ['D'], { samples: 3, since: 3 * HOUR_MS });
    expect(carried.get(20 * HOUR_MS)).toEqual({ samples: 4, since: 3 * HOUR_MS });
  });

  it('a series\' expected spacing is the median interval between its samples: 1 h hourly, 4 h for a 4-hourly section', () => {
    const times = (hours: number[]) => hours.map((x) => x * HOUR_MS);
    expect(expectedSpacing(times([1, 2, 3, 5, 6, 7, 8]))).toBe(HOUR_MS);
    expect(expectedSpacing(times([0, 4, 8, 16, 20, 21, 24]))).toBe(4 * HOUR_MS);
    expect(expectedSpacing(times([4]))).toBeUndefined();
  });

  it('spikes: by rise or by ratio, never below the minimum value', () => {
    expect(isSpike({ maxRise: 100, minValue: 50 }, '60', '170')).toBe(true);
    expect(isSpike({ maxRise: 100, minValue: 50 }, '60', '160')).toBe(false);
    expect(isSpike({ maxRatio: 3, minValue: 50 }, '20', '70')).toBe(true);
    expect(isSpike({ maxRatio: 3, minValue: 100 }, '20', '70')).toBe(false);
    // "More than": a rise of exactly maxRise or exactly maxRatio × is no spike; a value at minValue counts.
    expect(isSpike({ maxRatio: 3, minValue: 50 }, '20', '60')).toBe(false);
    expect(isSpike({ maxRise: 10, minValue: 50 }, '30', '50')).toBe(true);
  });

  it('spikes on exact decimals, where a float rise or ratio lands on the wrong side of the limit', () => {
    // 0.4 − 0.1 is 0.30000000000000004 in floats, 0.27 / 0.09 is 3.0000000000000004: neither exceeds its limit.
    expect(isSpike({ maxRise: 0.3, minValue: 0 }, '0.1', '0.4')).toBe(false);
    expect(isSpike({ maxRise: 0.3, minValue: 0 }, '0.1', '0.401')).toBe(true);
    expect(isSpike({ maxRatio: 3, minValue: 0 }, '0.09', '0.27')).toBe(false);
    expect(isSpike({ maxRatio: 3, minValue: 0 }, '0.35', '1.05')).toBe(false);
    expect(isSpike({ maxRatio: 3, minValue: 0 }, '0.35', '1.051')).toBe(true);
    // Number('49.9999999999999999') is 50: the value is under the minimum all the same.
    expect(isSpike({ maxRise: 10, minValue: 50 }, '1', '49.9999999999999999')).toBe(false);
  });

  it('turns configured numbers into the decimals an operator wrote', () => {
    expect([0.3, 75, 1e-7, 2.5e21, -0.05].map(decimalOfNumber)).toEqual(['0.3', '75', '0.0000001', '2500000000000000000000', '-0.05']);
  });

  it('silences cover by matcher and time; maintenance windows also cover data measured in them', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const operator = { id: 1, matcher: { site: 'A', parameter: 'pm2_5' }, startsAt: new Date('2026-11-20T11:00:00Z'), endsAt: new Date('2026-11-20T13:00:00Z'), reason: 'r' };
    expect(coveringSilence([operator], { rule: 'x', site: 'A', parameter: 'pm2_5' }, new Date('2026-11-19T00:00:00Z'), now)).toBe(operator);
    expect(coveringSilence([operator], { rule: 'x', site: 'A', parameter: 'pm10' }, now, now)).toBeNull();
    expect(coveringSilence([operator], { rule: 'x', site: 'A', parameter: 'pm2_5' }, now, new Date('2026-11-20T13:00:00Z'))).toBeNull();
    const [maintenance] = maintenanceSilences([{ sites: ['B'], from: '2026-11-19T00:00:00Z', to: '2026-11-19T06:00:00Z', reason: '检修' }]);
    expect(coveringSilence(maintenance ? [maintenance] : [], { rule: 'x', site: 'B' }, new Date('2026-11-19T03:00:00Z'), now)?.reason).toBe('维护 maintenance: 检修');
  });

  it('parses silence durations', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2h')).toBe(2 * HOUR_MS);
    expect(parseDuration('3d')).toBe(72 * HOUR_MS);
    expect(parseDuration('2 weeks')).toBeNull();
  });
});
