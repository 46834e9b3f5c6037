import { describe, expect, it } from 'vitest';
import { advanceAlert, evaluateThreshold, initialMemory, lateBreachRuns, thresholdObservation, type AlertMemory, type ThresholdRule, type Transition } from '../../evaluate/alert-state.ts';

const HOUR = 3_600_000;

function run(rule: ThresholdRule, values: string[], start: AlertMemory = initialMemory): { transitions: Transition[]; memory: AlertMemory } {
  let memory = start;
  const transitions: Transition[] = [];
  values.forEach((v, i) => {
    const step = evaluateThreshold(memory, rule, v, (i + 1) * HOUR);
    memory = step.memory;
    transitions.push(step.transition);
  });
  return { transitions, memory };
}

describe('alert state machine', () => {
  const nh3 = { direction: '>' as const, limit: '1.0', clearAt: '0.9', forEvaluations: 2 };

  it('fires only after the breach persists, then resolves past the clear level', () => {
    expect(run(nh3, ['0.8', '1.2', '1.3', '1.1', '0.95', '0.85']).transitions).toEqual(['none', 'pending', 'fired', 'none', 'none', 'resolved']);
  });

  it('does not flap on a value hovering at the limit (hysteresis)', () => {
    expect(run(nh3, ['1.2', '1.2', '0.99', '1.01', '0.98', '1.02']).transitions).toEqual(['pending', 'fired', 'none', 'none', 'none', 'none']);
  });

  it('cancels a pending breach that does not persist', () => {
    expect(run(nh3, ['1.2', '0.5']).transitions).toEqual(['pending', 'cancelled']);
  });

  it('treats lower bounds (DO) as breaches below the limit', () => {
    expect(run({ direction: '<', limit: '5', clearAt: '5.5', forEvaluations: 1 }, ['6', '4.5', '5.2', '5.6']).transitions).toEqual(['none', 'fired', 'none', 'resolved']);
  });

  it('counts a value at the limit as within it and one at the clear level as cleared; without clearAt the limit clears', () => {
    // GB 3838 limits are inclusive: NH3-N 1.0 mg/L still meets Class III, DO 5 mg/L too.
    expect(run(nh3, ['1.0', '1.0']).transitions).toEqual(['none', 'none']);
    expect(run(nh3, ['1.2', '1.3', '0.9']).transitions).toEqual(['pending', 'fired', 'resolved']);
    expect(run({ direction: '<', limit: '5', forEvaluations: 1 }, ['5', '4.9', '5']).transitions).toEqual(['none', 'fired', 'resolved']);
    expect(run({ direction: '>', limit: '75', forEvaluations: 1 }, ['76', '75']).transitions).toEqual(['fired', 'resolved']);
  });

  it('ignores re-evaluations of times already seen, so repeated or late data never fires twice', () => {
    const { memory } = run(nh3, ['1.2', '1.3']);
    expect(memory.state).toBe('firing');
    expect(evaluateThreshold(memory, nh3, '1.5', 2 * HOUR)).toEqual({ memory, transition: 'none' });
    expect(evaluateThreshold(memory, nh3, '0.1', 1 * HOUR)).toEqual({ memory, transition: 'none' });
  });
});

describe('exact comparison with the limit', () => {
  const pm25 = { direction: '>' as const, limit: '75' };
  it('is not beyond the limit at the limit however the value is written, and beyond it by the smallest step', () => {
    expect(thresholdObservation(pm25, '75').breaching).toBe(false);
    expect(thresholdObservation(pm25, '75.000').breaching).toBe(false);
    expect(thresholdObservation(pm25, '75.001').breaching).toBe(true);
    expect(thresholdObservation({ direction: '<', limit: '5' }, '4.999').breaching).toBe(true);
    expect(thresholdObservation({ direction: '<', limit: '5' }, '5.000').breaching).toBe(false);
  });

  it('compares decimals a binary float cannot tell apart: 0.10000000000000001 is over 0.1, 8.0000000000000001 clears at 8 only when it is not above it', () => {
    // Number('0.10000000000000001') === 0.1: through a float the breach would be missed.
    expect(thresholdObservation({ direction: '>', limit: '0.1' }, '0.10000000000000001')).toEqual({ breaching: true, cleared: false });
    expect(thresholdObservation({ direction: '>', limit: '10', clearAt: '8' }, '8.0000000000000001')).toEqual({ breaching: false, cleared: false });
    expect(thresholdObservation({ direction: '>', limit: '10', clearAt: '8' }, '8.000')).toEqual({ breaching: false, cleared: true });
  });
});

describe('persistence across gaps in the data', () => {
  const breach = { breaching: true, cleared: false };
  const step = (memory: AlertMemory, hour: number, spacingHours: number) => advanceAlert(memory, { ...breach, spacingMs: spacingHours * HOUR }, 2, hour * HOUR);

  it('counts two breaching values as consecutive only when no expected value is missing between them', () => {
    // Hourly values: breaches at 01:00 and 03:00 with 02:00 missing are not consecutive; 03:00 and 04:00 are.
    const first = step(initialMemory, 1, 1);
    expect(first.transition).toBe('pending');
    const afterGap = step(first.memory, 3, 1);
    expect(afterGap.transition).toBe('restarted');
    expect(afterGap.memory).toEqual({ state: 'pending', breaches: 1, lastEvaluatedAt: 3 * HOUR });
    expect(step(afterGap.memory, 4, 1).transition).toBe('fired');
  });

  it('takes a 4-hourly series\' own spacing: 4 h apart is consecutive, 8 h apart is a gap', () => {
    const first = step(initialMemory, 0, 4);
    expect(step(first.memory, 4, 4).transition).toBe('fired');
    expect(step(first.memory, 8, 4).transition).toBe('restarted');
  });

  it('breaks late runs at gaps too', () => {
    const o = (hour: number) => ({ at: hour * HOUR, breaching: true, cleared: false, spacingMs: HOUR });
    expect(lateBreachRuns([o(1), o(2), o(4), o(5), o(6)], 2).map((r) => r.map((x) => x.at / HOUR))).toEqual([[1, 2], [4, 5, 6]]);
    expect(lateBreachRuns([o(1), o(3), o(5)], 2)).toEqual([]);
  });
});
