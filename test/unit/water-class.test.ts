import { describe, expect, it } from 'vitest';
import { classLimit, meetsClass, parameterClass, sectionClass } from '../../standards/water-class.ts';

describe('GB 3838-2002 classes', () => {
  it('classifies upper-bounded parameters by the best class whose limit they meet, limits inclusive', () => {
    expect(parameterClass('nh3_n', '0.15')).toBe('I');
    expect(parameterClass('nh3_n', '0.151')).toBe('II');
    expect(parameterClass('nh3_n', '1.0')).toBe('III');
    expect(parameterClass('nh3_n', '1.31')).toBe('IV');
    expect(parameterClass('nh3_n', '2.0')).toBe('V');
    expect(parameterClass('nh3_n', '2.31')).toBe('劣V');
  });

  it('treats DO as a lower bound and pH as a range', () => {
    expect(parameterClass('do', '7.5')).toBe('I');
    expect(parameterClass('do', '5.2')).toBe('III');
    expect(parameterClass('do', '1.9')).toBe('劣V');
    expect(parameterClass('ph', '7.86')).toBe('I');
    expect(parameterClass('ph', '9.1')).toBe('劣V');
    // Table 1: pH 6–9 for every class, both ends included; DO Class I is ≥ 7.5 (7.49 only meets Class II's 6).
    expect(['5.99', '6', '9', '9.01'].map((v) => parameterClass('ph', v))).toEqual(['劣V', 'I', 'I', '劣V']);
    expect(parameterClass('do', '7.49')).toBe('II');
  });

  it('gives a shared limit to the better class and uses lake limits for TP in lakes and reservoirs', () => {
    expect(parameterClass('cod', '15')).toBe('I');
    expect(parameterClass('tp', '0.05')).toBe('II');
    expect(parameterClass('tp', '0.05', 'lake_reservoir')).toBe('III');
    expect(classLimit('nh3_n', 'III')).toEqual({ limit: '1', direction: '<=' });
  });

  it('takes the worst parameter for the section and leaves reference indicators out', () => {
    const wuliang = { ph: '7.86', do: '5.6', codmn: '5.5', nh3_n: '1.31', tp: '0.18', water_temp: '14', tn: '6.1' };
    expect(sectionClass(wuliang)).toEqual({
      class: 'IV',
      worst: [{ parameter: 'nh3_n', class: 'IV' }],
      byParameter: { ph: 'I', do: 'III', codmn: 'III', nh3_n: 'IV', tp: 'III' },
    });
    expect(meetsClass('IV', 'III')).toBe(false);
    expect(meetsClass('II', 'III')).toBe(true);
    expect(meetsClass('III', 'III')).toBe(true);
    expect(meetsClass('劣V', 'V')).toBe(false);
  });
});
