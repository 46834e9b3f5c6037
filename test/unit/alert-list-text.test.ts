/**
 * What `envmon alerts list` says an alert is judged against: the limit and where the value stands (over it, back
 * within it but held by hysteresis, within it), the target class of a water-class alert, the silence of a no-data
 * alert — never `(limit -)`. Expectations written by hand from the rules' settings.
 */
import { describe, expect, it } from 'vitest';
import { alertJudgement } from '../../cli/alert-judgement.ts';

describe('alerts list: what an alert is judged against', () => {
  const nh3 = { kind: 'threshold', parameter: 'nh3_n', limit: 1, clearAt: '0.9', direction: '>' };
  it('a threshold alert: over the limit, back within it but not cleared, within it — with units', () => {
    expect(alertJudgement({ ...nh3, value: '1.46' })).toBe('nh3_n 1.46 mg/L (over the limit 1 mg/L)');
    // wuliang-nh3n-class3 fires over 1.0 and clears at 0.9: 0.946 is within the limit and still firing.
    expect(alertJudgement({ ...nh3, value: '0.946' })).toBe('nh3_n 0.946 mg/L (back within the limit 1 mg/L, clears at 0.9 mg/L)');
    expect(alertJudgement({ ...nh3, value: '0.85' })).toBe('nh3_n 0.85 mg/L (within the limit 1 mg/L)');
    expect(alertJudgement({ kind: 'threshold', parameter: 'do', value: '4.33', limit: 5, clearAt: '5.5', direction: '<' })).toBe('do 4.33 mg/L (below the limit 5 mg/L)');
    expect(alertJudgement({ kind: 'threshold', parameter: 'pm2_5', value: '184', limit: 75, direction: '>' })).toBe('pm2_5 184 μg/m³ (over the limit 75 μg/m³)');
  });

  it('a water-class alert: its class against the target class, and a seasonal limit exceeded', () => {
    expect(alertJudgement({ kind: 'water_class', class: 'IV', targetClass: 'III', seasonalLimits: [{ parameter: 'nh3_n', limit: 8, value: '1.637', breached: false }] })).toBe('Ⅳ类 (target Ⅲ类)');
    expect(alertJudgement({ kind: 'water_class', class: 'III', targetClass: 'III', seasonalLimits: [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true }] })).toBe('Ⅲ类, nh3_n 6.5 mg/L over its seasonal limit 5 mg/L (target Ⅲ类)');
  });

  it('a no-data alert: how long the data have been missing', () => {
    expect(alertJudgement({ kind: 'no_data', source: 'water-simulator', level: 'source', silentMinutes: 400 })).toBe('no data for 400 min');
    expect(alertJudgement({ kind: 'no_data', source: 'water-simulator', level: 'source', silentMinutes: 600, neverDelivered: true })).toBe('never delivered (waited 600 min)');
    // Resolved: what ended it, never a silence of "?" minutes.
    expect(alertJudgement({ kind: 'no_data', source: 'water-simulator', level: 'source' }, 'resolved')).toBe('data resumed');
    expect(alertJudgement({ kind: 'no_data', source: 'water-simulator', level: 'source', reason: 'no_longer_expected' }, 'resolved')).toBe('no longer expected by the configuration');
  });

  it('the other kinds: a spike, an instrument flag, a target at risk', () => {
    expect(alertJudgement({ kind: 'rate_of_change', parameter: 'pm10', value: '350', previous: '120' })).toBe('pm10 350 μg/m³ (rose from 120 μg/m³ within an hour)');
    expect(alertJudgement({ kind: 'instrument_state', parameter: 'codmn', flag: 'D', flaggedHours: 9 })).toBe('codmn flagged D for 9 h');
    expect(alertJudgement({ kind: 'target_at_risk', target: 'JC-PM25-2025', current: '50', required: '≤ 44' })).toBe('JC-PM25-2025 year to date 50 (target ≤ 44)');
  });
});
