import { describe, expect, it } from 'vitest';
import { groundwaterClass, groundwaterIndicatorClass } from '../../standards/groundwater-class.ts';

describe('GB/T 14848-2017 groundwater classes', () => {
  it('classifies indicators, shared limits going to the better class', () => {
    expect(groundwaterIndicatorClass('manganese', '0.05')).toBe('I');
    expect(groundwaterIndicatorClass('manganese', '0.06')).toBe('III');
    expect(groundwaterIndicatorClass('totalHardness', '651')).toBe('V');
    expect(groundwaterIndicatorClass('iron', '2.0')).toBe('IV');
  });

  it('uses the pH bands', () => {
    expect(groundwaterIndicatorClass('ph', '7.2')).toBe('I');
    expect(groundwaterIndicatorClass('ph', '6.0')).toBe('IV');
    expect(groundwaterIndicatorClass('ph', '9.2')).toBe('V');
    // Table 1: I–III 6.5 ≤ pH ≤ 8.5; IV 5.5 ≤ pH < 6.5 or 8.5 < pH ≤ 9.0; V below 5.5 or above 9.0.
    expect(['5.4', '5.5', '6.5', '8.5', '8.6', '9.0'].map((v) => groundwaterIndicatorClass('ph', v))).toEqual(['V', 'IV', 'I', 'I', 'IV', 'IV']);
  });

  it('takes the worst indicator for the sample', () => {
    expect(groundwaterClass({ ph: '7.5', nh3_n: '0.6', sulfate: '120' })).toEqual({ class: 'IV', worst: ['nh3_n'] });
  });
});
