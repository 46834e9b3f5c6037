/**
 * Monthly single-factor assessment. Expected classes by hand from GB 3838-2002 Table 1 (rivers):
 * DO ≥ 7.5 / 6 / 5 / 3 / 2; CODMn ≤ 2 / 4 / 6 / 10 / 15; NH3-N ≤ 0.15 / 0.5 / 1.0 / 1.5 / 2.0; TP ≤ 0.02 / 0.1 / 0.2 / 0.3 / 0.4.
 */
import { describe, expect, it } from 'vitest';
import { targetSchema } from '../../config/schema.ts';
import { assessMonth, assessPeriod, monthsBetween, share, type WaterSample, type WaterSection } from '../../standards/water-assessment.ts';

const assumption = '假定：冬季按11–3月';
const wuliang = targetSchema.parse({
  id: 'T-WL', document: '规划', nature: 'binding', scope: { site: 'WL' }, indicator: 'water_class',
  target: { year: 2025, comparator: 'class_at_least', value: 'III' },
  seasonalLimits: [
    { parameter: 'nh3_n', limit: 8, months: [11, 12, 1, 2, 3], assumption },
    { parameter: 'nh3_n', limit: 5, months: [4, 5, 6, 7, 8, 9, 10], assumption },
  ],
  validFrom: '2021-01-01', validTo: '2025-12-31',
});
const plain = targetSchema.parse({ id: 'T-S', document: '规划', nature: 'binding', scope: { site: 'S' }, indicator: 'water_class', target: { year: 2025, comparator: 'class_at_least', value: 'III' }, validFrom: '2021-01-01', validTo: '2025-12-31' });
const section = (site: string): WaterSection => ({ site, name: site, kind: 'surface_water', waterBody: 'river', targets: [wuliang, plain], originLabel: null });
const at = (day: string, hour: number) => Date.parse(`${day}T00:00:00+08:00`) + hour * 3_600_000;
const samples = (day: string, list: Record<string, string>[]): WaterSample[] => list.map((values, i) => ({ at: at(day, 4 * (i + 1)), values }));
const month = (site: string, m: string, list: WaterSample[]) => assessMonth(section(site), m, list, at(`${m}-28`, 24));

describe('monthly class (GB 3838 Table 1, single factor)', () => {
  it('a mean exactly at the Class III NH3-N limit is Class III', () => {
    // NH3-N (0.9 + 1.1) / 2 = 1.0 ≤ 1.0 → III; DO 6.0 ≥ 6 → II; worst III.
    const r = month('S', '2025-05', samples('2025-05-10', [{ nh3_n: '0.9', do: '6.0' }, { nh3_n: '1.1', do: '6.0' }]));
    expect(r).toMatchObject({ samples: 2, class: 'III', worstParameters: ['nh3_n'], meetsTarget: true, means: { nh3_n: '1', do: '6' } });
  });

  it('rounds the mean half to even on three decimals before classifying', () => {
    // (1.000 + 1.001) / 2 = 1.0005 → 1.000 (5 after an even 0 stays) → III; (1.001 + 1.002) / 2 = 1.0015 → 1.002 → IV (≤ 1.5).
    expect(month('S', '2025-05', samples('2025-05-10', [{ nh3_n: '1.000' }, { nh3_n: '1.001' }]))).toMatchObject({ class: 'III', means: { nh3_n: '1' } });
    expect(month('S', '2025-05', samples('2025-05-10', [{ nh3_n: '1.001' }, { nh3_n: '1.002' }]))).toMatchObject({ class: 'IV', means: { nh3_n: '1.002' }, meetsTarget: false, exceeding: ['nh3_n'] });
  });

  it('judges DO as a lower bound', () => {
    // DO 5 ≥ 5 → III; 4.999 < 5 but ≥ 3 → IV.
    expect(month('S', '2025-05', samples('2025-05-10', [{ do: '5' }])).class).toBe('III');
    expect(month('S', '2025-05', samples('2025-05-10', [{ do: '4.999' }])).class).toBe('IV');
  });

  it('leaves total nitrogen and water temperature out of a river section', () => {
    // TN 5 would be 劣Ⅴ (lakes ≤ 2.0) but takes no part; CODMn 3.5 ≤ 4 → II.
    const r = month('S', '2025-05', samples('2025-05-10', [{ codmn: '3.5', tn: '5', water_temp: '30' }]));
    expect(r).toMatchObject({ class: 'II', worstParameters: ['codmn'], means: { codmn: '3.5' } });
    expect(r.means).not.toHaveProperty('tn');
  });

  it('is 劣Ⅴ beyond Class V', () => {
    // TP 0.5 > 0.4 (Class V, rivers) → 劣Ⅴ.
    expect(month('S', '2025-05', samples('2025-05-10', [{ tp: '0.5', do: '8' }]))).toMatchObject({ class: '劣V', worstParameters: ['tp'], meetsTarget: false });
  });

  it('holds a winter month to the winter NH3-N limit and labels the assumed months', () => {
    // January: NH3-N 6.5 is 劣Ⅴ by Table 1 (> 2.0) but within the winter limit 8; DO 6.1 → II, CODMn 5.2 → III: target III met.
    const day = [{ do: '6.1', codmn: '5.2', nh3_n: '6.5' }];
    const january = month('WL', '2025-01', samples('2025-01-15', day));
    expect(january).toMatchObject({ class: '劣V', meetsTarget: true, exceeding: [], assumptions: [assumption], target: { id: 'T-WL', class: 'III' } });
    // July: the summer limit 5 is exceeded.
    const july = month('WL', '2025-07', samples('2025-07-15', day));
    expect(july).toMatchObject({ meetsTarget: false, exceeding: ['nh3_n'], assumptions: [assumption] });
  });

  it('lists a month without data with 0 samples and no class', () => {
    expect(month('S', '2025-05', [])).toMatchObject({ samples: 0, class: null, meetsTarget: null, means: {}, worstParameters: [] });
  });

  it('judges a period by each value under its own month’s seasonal limit', () => {
    // NH3-N 6.5 in January (≤ 8) and July (> 5): the July values breach their limit, so the period misses the target.
    const list = [...samples('2025-01-15', [{ nh3_n: '6.5', do: '6.1' }]), ...samples('2025-07-15', [{ nh3_n: '6.5', do: '6.1' }])];
    expect(assessPeriod(section('WL'), '2025-01..2025-07', list, at('2025-07-31', 24))).toMatchObject({ samples: 2, class: '劣V', meetsTarget: false, exceeding: ['nh3_n'] });
  });
});

describe('shares and months', () => {
  it('rounds a share to one decimal half to even', () => {
    // 2/3 = 66.66… → 66.7; 1/16 = 6.25 → 6.2; none assessed → null.
    expect(share(2, 3).ratio).toBe('66.7');
    expect(share(1, 16).ratio).toBe('6.2');
    expect(share(0, 0).ratio).toBeNull();
  });
  it('lists every month of the span', () => {
    expect(monthsBetween('2024-11-20', '2025-02-01')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
  });
});
