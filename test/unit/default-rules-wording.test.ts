/**
 * The default rules say what they are. 武良's NH3-N rule is a GB 3838-2002 Table 1 Class III early warning (≤ 1.0
 * mg/L); the plan target of 武良 is assessed with the county plan's special seasonal NH3-N limits (≤ 8 mg/L in
 * winter, ≤ 5 in summer), so the rule must not claim to be the target. The targets are the 14th Five-Year plan's,
 * to the end of 2025: cited as such, never as a current "2025 年目标".
 */
import { describe, expect, it } from 'vitest';
import { testConfig } from '../support/test-service.ts';

const config = testConfig({});
const source = (id: string) => {
  const rule = config.rules.find((r) => r.id === id);
  return rule && 'limitSource' in rule ? (rule.limitSource ?? '') : '';
};

describe('default rules: limit sources', () => {
  it('武良 NH3-N: a Class III early warning, not the plan target, which uses the special seasonal limits', () => {
    const text = source('wuliang-nh3n-class3');
    expect(text.startsWith('GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L')).toBe(true);
    expect(text).toContain('Ⅲ类水质预警');
    expect(text).toContain('非目标考核');
    expect(text).toContain('季节特别限值');
    expect(text).toContain('≤ 8 mg/L');
    expect(text).toContain('≤ 5 mg/L');
  });

  it('no rule cites a past target as current; each one naming a target says it is carried past its period', () => {
    const sources = ['wuliang-nh3n-class3', 'wuliang-do-class3', 'wenyu-nh3n-class2'].map(source);
    for (const text of sources) {
      expect(text).not.toMatch(/\d{4} ?年目标/);
      expect(text).toContain('十四五目标');
      expect(text).toContain('期满未更新前仍沿用');
    }
    expect(source('wuliang-do-class3').startsWith('GB 3838-2002 表1 Ⅲ类 溶解氧 ≥ 5 mg/L')).toBe(true);
    expect(source('wuliang-do-class3')).toContain('Ⅲ类水质预警');
  });
});
