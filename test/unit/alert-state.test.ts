import { describe, expect, it } from 'vitest';
import { evaluateThreshold, initialMemory, type AlertMemory, type ThresholdRule, type Transition } from '../../evaluate/alert-state.ts';

function run(rule: ThresholdRule, values: number[], start: AlertMemory = initialMemory): { transitions: Transition[]; memory: AlertMemory } {
  let memory = start;
  const transitions: Transition[] = [];
  values.forEach((v, i) => {
    const step = evaluateThreshold(memory, rule, v, (i + 1) * 3_600_000);
    memory = step.memory;
    transitions.push(step.transition);
  });
  return { transitions, memory };
}

describe('alert state machine', () => {
  const nh3 = { direction: '>' as const, limit: 1.0, clearAt: 0.9, forEvaluations: 2 };

  it('fires only after the breach persists, then resolves past the clear level', () => {
    expect(run(nh3, [0.8, 1.2, 1.3, 1.1, 0.95, 0.85]).transitions).toEqual(['none', 'pending', 'fired', 'none', 'none', 'resolved']);
  });

  it('does not flap on a value hovering at the limit (hysteresis)', () => {
    expect(run(nh3, [1.2, 1.2, 0.99, 1.01, 0.98, 1.02]).transitions).toEqual(['pending', 'fired', 'none', 'none', 'none', 'none']);
  });

  it('cancels a pending breach that does not persist', () => {
    expect(run(nh3, [1.2, 0.5]).transitions).toEqual(['pending', 'cancelled']);
  });

  it('treats lower bounds (DO) as breaches below the limit', () => {
    expect(run({ direction: '<', limit: 5, clearAt: 5.5, forEvaluations: 1 }, [6, 4.5, 5.2, 5.6]).transitions).toEqual(['none', 'fired', 'none', 'resolved']);
  });

  it('counts a value at the limit as within it and one at the clear level as cleared; without clearAt the limit clears', () => {
    // GB 3838 limits are inclusive: NH3-N 1.0 mg/L still meets Class III, DO 5 mg/L too.
    expect(run(nh3, [1.0, 1.0]).transitions).toEqual(['none', 'none']);
    expect(run(nh3, [1.2, 1.3, 0.9]).transitions).toEqual(['pending', 'fired', 'resolved']);
    expect(run({ direction: '<', limit: 5, forEvaluations: 1 }, [5, 4.9, 5]).transitions).toEqual(['none', 'fired', 'resolved']);
    expect(run({ direction: '>', limit: 75, forEvaluations: 1 }, [76, 75]).transitions).toEqual(['fired', 'resolved']);
  });

  it('ignores re-evaluations of times already seen, so repeated or late data never fires twice', () => {
    const { memory } = run(nh3, [1.2, 1.3]);
    expect(memory.state).toBe('firing');
    expect(evaluateThreshold(memory, nh3, 1.5, 2 * 3_600_000)).toEqual({ memory, transition: 'none' });
    expect(evaluateThreshold(memory, nh3, 0.1, 1 * 3_600_000)).toEqual({ memory, transition: 'none' });
  });
});
