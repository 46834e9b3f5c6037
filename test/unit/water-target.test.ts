import { describe, expect, it } from 'vitest';
import { targetSchema } from '../../config/schema.ts';
import { assessAgainstTarget, assessSamplesAgainstTarget, waterTargetFor } from '../../standards/water-target.ts';

// 武良's plan target as the default configuration holds it: Class III by 2025, NH3-N ≤ 8 mg/L November–March and
// ≤ 5 mg/L April–October instead of the Class III limit.
const wuliangTarget = targetSchema.parse({
  id: 'JC-WULIANG-2025',
  document: '交城县“十四五”生态环境保护规划',
  nature: 'binding',
  scope: { site: 'JC-SW-WULIANG' },
  indicator: 'water_class',
  baseline: { year: 2020, value: 'V' },
  target: { year: 2025, comparator: 'class_at_least', value: 'III' },
  seasonalLimits: [
    { parameter: 'nh3_n', limit: 8, months: [11, 12, 1, 2, 3] },
    { parameter: 'nh3_n', limit: 5, months: [4, 5, 6, 7, 8, 9, 10] },
  ],
  validFrom: '2021-01-01',
  validTo: '2025-12-31',
});
const january = Date.parse('2025-01-15T04:00:00Z'); // 12:00 Beijing time
const july = Date.parse('2025-07-15T04:00:00Z');
const target = waterTargetFor([wuliangTarget], 'JC-SW-WULIANG', january);

describe('a water section against its target, seasonal limits included', () => {
  // DO 6.1 is Class II (≥ 6), CODMn 5.2 Class III (≤ 6); NH3-N 6.5 would be 劣Ⅴ (> 2.0) by GB 3838 Table 1.
  const values = { do: '6.1', codmn: '5.2', nh3_n: '6.5' };

  it('finds the governing target in force, with its seasonal limits', () => {
    expect(target).toMatchObject({ cls: 'III', id: 'JC-WULIANG-2025', seasonal: [{ parameter: 'nh3_n', limit: 8 }, { parameter: 'nh3_n', limit: 5 }] });
  });

  it('in winter judges NH3-N by the 8 mg/L special limit: the section is Class III and meets its target', () => {
    expect(assessAgainstTarget(values, target ?? fail(), january, 'river')).toEqual({
      class: 'III',
      targetClass: 'III',
      meets: true,
      classMeets: true,
      worst: [{ parameter: 'codmn', class: 'III', value: '5.2' }],
      seasonal: [{ parameter: 'nh3_n', limit: 8, value: '6.5', breached: false }],
    });
  });

  it('in summer judges the same values by the 5 mg/L limit: the target is missed on NH3-N alone', () => {
    expect(assessAgainstTarget(values, target ?? fail(), july, 'river')).toMatchObject({ class: 'III', meets: false, classMeets: true, seasonal: [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true }] });
  });

  it('holds the special limit inclusive, compared exactly', () => {
    const nh3 = (value: string) => assessAgainstTarget({ ...values, nh3_n: value }, target ?? fail(), january, 'river')?.meets;
    expect(nh3('8')).toBe(true);
    expect(nh3('8.000')).toBe(true);
    expect(nh3('8.001')).toBe(false);
    // Number('8.0000000000000001') is 8: a float would let this pass.
    expect(nh3('8.0000000000000001')).toBe(false);
  });

  it('misses the target on the class of the other parameters whatever the season', () => {
    // CODMn 8.4 is Class IV (≤ 10).
    expect(assessAgainstTarget({ ...values, codmn: '8.4' }, target ?? fail(), january, 'river')).toMatchObject({ class: 'IV', meets: false, classMeets: false, worst: [{ parameter: 'codmn', class: 'IV', value: '8.4' }] });
  });

  it('over a period, judges each season\'s NH3-N mean by that season\'s limit and the other parameters by their means', () => {
    const sample = (at: number, nh3: string, codmn: string) => ({ at, values: { nh3_n: nh3, codmn } });
    // January NH3-N 6.5 and 7.5 (mean 7.0 ≤ 8); July 4.0 and 5.2 (mean 4.6 ≤ 5). Over all four the mean is 5.8,
    // which the summer limit would fail: each season is judged by its own. CODMn mean (4 + 5 + 5 + 6) / 4 = 5 → III.
    const samples = [sample(january, '6.5', '4'), sample(january + 4 * 3_600_000, '7.5', '5'), sample(july, '4.0', '5'), sample(july + 4 * 3_600_000, '5.2', '6')];
    expect(assessSamplesAgainstTarget(samples, target ?? fail(), 'river')).toEqual({
      class: 'III',
      targetClass: 'III',
      meets: true,
      classMeets: true,
      worst: [{ parameter: 'codmn', class: 'III', value: '5' }],
      seasonal: [
        { parameter: 'nh3_n', limit: 8, value: '7', breached: false },
        { parameter: 'nh3_n', limit: 5, value: '4.6', breached: false },
      ],
    });
    // A July NH3-N of 6.2 instead of 5.2 makes the summer mean 5.1, over its 5 mg/L.
    expect(assessSamplesAgainstTarget([...samples.slice(0, 3), sample(july + 4 * 3_600_000, '6.2', '6')], target ?? fail(), 'river')?.meets).toBe(false);
  });
});

function fail(): never {
  throw new Error('no target');
}
