/**
 * Plan periods and where targets stand on a date: the 14th plan's last day (2025-12-31) and the 15th plan's first
 * (2026-01-01), a 15th-plan target entered (no reference any more), two ended targets of one indicator (the later one
 * is the reference), and final results with their margins worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { finalResult, noTargetInForceNote, planPeriodOf, targetStandings, type PlanTarget } from '../../standards/plan-period.ts';

const town = { site: 'JC-AIR-TOWN' };
const pm25: PlanTarget = { id: 'PM25-2025', document: '交城县“十四五”生态环境保护规划', indicator: 'pm2_5_annual_mean', scope: town, governing: true, validFrom: '2021-01-01', validTo: '2025-12-31' };
const outline: PlanTarget = { ...pm25, id: 'PM25-OUTLINE-2025', document: '纲要', governing: false };
const good: PlanTarget = { ...pm25, id: 'GOOD-2025', indicator: 'good_day_ratio' };
const statusOf = (targets: PlanTarget[], day: string) => targetStandings(targets, day).map((s) => [s.target.id, s.status]);

describe('plan periods', () => {
  it('puts 2025-12-31 in the 14th plan and 2026-01-01 in the 15th', () => {
    expect(planPeriodOf('2021-01-01')?.name).toBe('十四五');
    expect(planPeriodOf('2025-12-31')?.name).toBe('十四五');
    expect(planPeriodOf('2026-01-01')?.name).toBe('十五五');
    expect(planPeriodOf('2030-12-31')?.name).toBe('十五五');
    expect(planPeriodOf('2031-01-01')).toBeNull();
    expect(planPeriodOf('2020-12-31')).toBeNull();
  });
});

describe('target standings', () => {
  it('keeps a 14th-plan target in force on its last day and makes it the reference the day after', () => {
    expect(statusOf([pm25, outline], '2025-12-31')).toEqual([['PM25-2025', 'in_force'], ['PM25-OUTLINE-2025', 'in_force']]);
    // The next day: the governing one is carried forward as the reference; the non-governing one only reports its final.
    const [reference, final] = targetStandings([pm25, outline], '2026-01-01');
    expect(reference).toMatchObject({ status: 'reference', plan: '十四五', finalYear: 2025, statusNote: '参考值（沿用十四五目标，十五五目标未录入）' });
    expect(reference?.periodNote).toBe('十四五目标（2021-01-01 至 2025-12-31）已于2025年末到期；十五五目标录入前按其目标值作参考，不是在期考核目标');
    expect(final).toMatchObject({ status: 'final', finalYear: 2025, statusNote: '已到期（非主导目标），仅列 2025 年终结果' });
  });

  it('drops the reference once a 15th-plan target of the indicator and scope is entered; the old one reports its final', () => {
    const next: PlanTarget = { ...pm25, id: 'PM25-2030', document: '十五五规划', validFrom: '2026-01-01', validTo: '2030-12-31' };
    expect(statusOf([pm25, good, next], '2026-12-02')).toEqual([['PM25-2025', 'final'], ['GOOD-2025', 'reference'], ['PM25-2030', 'in_force']]);
    expect(targetStandings([pm25, next], '2026-12-02')[0]?.statusNote).toBe('已到期（已有在期目标），仅列 2025 年终结果');
  });

  it('takes the later of two ended targets of one indicator and scope as the reference', () => {
    const earlier: PlanTarget = { ...pm25, id: 'PM25-2023', validFrom: '2021-01-01', validTo: '2023-12-31' };
    expect(statusOf([pm25, earlier], '2026-03-01')).toEqual([['PM25-2025', 'reference'], ['PM25-2023', 'final']]);
    // Config order does not matter.
    expect(statusOf([earlier, pm25], '2026-03-01')).toEqual([['PM25-2023', 'final'], ['PM25-2025', 'reference']]);
  });

  it('leaves out targets not yet in force and targets of periods before the previous one', () => {
    const future: PlanTarget = { ...pm25, id: 'PM25-2030', validFrom: '2027-01-01', validTo: '2030-12-31' };
    const old: PlanTarget = { ...good, id: 'GOOD-2020', validFrom: '2016-01-01', validTo: '2020-12-31' };
    expect(statusOf([future, old, good], '2026-06-01')).toEqual([['GOOD-2025', 'reference']]);
  });

  it('says why no target is in force', () => {
    expect(noTargetInForceNote([], '2026-12-02')).toBe('未配置规划目标（配置文件 targets 为空）');
    expect(noTargetInForceNote([pm25, outline], '2025-06-30')).toBeNull();
    expect(noTargetInForceNote([pm25, outline], '2026-12-02')).toBe('2026 年无在期规划目标：十四五目标已于2025年末到期，十五五目标未录入；1 项沿用十四五目标作参考值（非在期考核目标），另列 2025 年终结果');
  });
});

describe('final results', () => {
  it('PM2.5 41 against ≤ 44: met with 3 to spare; 47 misses by 3', () => {
    expect(finalResult('pm2_5_annual_mean', 2025, '41', true, 44, 365)).toEqual({ year: 2025, value: '41', limit: '44', met: true, margin: '3', basis: 365, text: '2025 年 PM2.5 年均 41 μg/m³，目标 ≤ 44，达标，余量 3' });
    expect(finalResult('pm2_5_annual_mean', 2025, '47', false, 44, 365)).toMatchObject({ met: false, margin: '-3', text: '2025 年 PM2.5 年均 47 μg/m³，目标 ≤ 44，未达标，超出 3' });
  });

  it('an annual mean of 43.9 is published as 44 and meets ≤ 44 with a margin of 0', () => {
    // GB/T 8170: 43.9 → 44 (PM2.5 published as an integer); 44 − 44 = 0.
    expect(finalResult('pm2_5_annual_mean', 2025, '44', true, 44, 365)).toMatchObject({ met: true, margin: '0' });
  });

  it('good-day ratio 72.33 % against ≥ 75 %: 2.67 short; 0.1 + 0.2 kinds of float error never appear', () => {
    // 75 − 72.33 = 2.67 exactly.
    expect(finalResult('good_day_ratio', 2025, '72.33', false, 75, 365)).toMatchObject({ margin: '-2.67', text: '2025 年 优良天数比例 72.33%，目标 ≥ 75%，未达标，差 2.67' });
    // 75.3 − 75.1: 0.2 (as floats 0.19999999999999574).
    expect(finalResult('good_day_ratio', 2025, '75.3', true, 75.1, 365).margin).toBe('0.2');
  });

  it('a water class and a year without data', () => {
    expect(finalResult('water_class', 2025, 'II', true, 'III', 300)).toMatchObject({ margin: null, met: true, text: '2025 年 水质类别 Ⅱ类，目标 Ⅲ类或更好，达标' });
    expect(finalResult('pm2_5_annual_mean', 2025, null, null, 44, 0)).toMatchObject({ met: null, margin: null, text: '2025 年 PM2.5 年均 无数据，目标 ≤ 44，无法评价' });
  });
});
