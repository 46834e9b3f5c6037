/** Plan targets as readers see them: the requirement as a sign with its unit, water classes as 类, never codes. */
import { describe, expect, it } from 'vitest';
import { targetRequirementText } from '../../standards/target-labels.ts';

describe('target requirement text', () => {
  it('writes each comparator as readers read it, in Chinese and English', () => {
    expect(targetRequirementText({ indicator: 'pm2_5_annual_mean', target: { year: 2025, comparator: '<=', value: 44 } }, 'zh-CN')).toBe('≤ 44 μg/m³');
    expect(targetRequirementText({ indicator: 'good_day_ratio', target: { year: 2025, comparator: '>=', value: 75 } }, 'zh-CN')).toBe('≥ 75 %');
    expect(targetRequirementText({ indicator: 'water_class', target: { year: 2025, comparator: 'class_at_least', value: 'III' } }, 'zh-CN')).toBe('Ⅲ类或更好');
    expect(targetRequirementText({ indicator: 'water_class', target: { year: 2025, comparator: 'class_at_least', value: 'III' } }, 'en')).toBe('Class III or better');
    expect(targetRequirementText({ indicator: 'heavy_pollution_days', target: { year: 2025, comparator: 'not_worse_than_baseline' }, baseline: { year: 2020, value: 1 } }, 'zh-CN')).toBe('不劣于 1 天');
    expect(targetRequirementText({ indicator: 'heavy_pollution_days', target: { year: 2025, comparator: 'not_worse_than_baseline' }, baseline: { year: 2020, value: 1 } }, 'en')).toBe('not worse than 1 day');
  });
});
