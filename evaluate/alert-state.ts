/**
 * The alert state machine of one rule for one subject (site, parameter), as a pure function of the previous state
 * and a new evaluation. Persistence: a breach must hold for `forEvaluations` consecutive evaluations before the
 * alert fires (pending until then). Hysteresis: a firing alert clears only once the value is back past the
 * separate clear level, so a value hovering at the limit does not flap. Re-evaluating the same time changes
 * nothing, so late or repeated data never fires twice.
 */

export type AlertState = 'ok' | 'pending' | 'firing';

export interface AlertMemory {
  state: AlertState;
  /** Consecutive breaching evaluations so far. */
  breaches: number;
  /** The latest evaluated time (ms); evaluations at or before it are ignored. */
  lastEvaluatedAt: number | null;
}

export interface ThresholdRule {
  /** Fire above (`>`) or below (`<`) the limit (DO, for instance, breaches below). */
  direction: '>' | '<';
  limit: number;
  /** Where a firing alert clears; defaults to the limit. For `>` it must not exceed the limit. */
  clearAt?: number;
  /** Consecutive breaching evaluations needed to fire. */
  forEvaluations: number;
}

export type Transition = 'none' | 'pending' | 'fired' | 'resolved' | 'cancelled';

export const initialMemory: AlertMemory = { state: 'ok', breaches: 0, lastEvaluatedAt: null };

export function evaluateThreshold(memory: AlertMemory, rule: ThresholdRule, value: number, at: number): { memory: AlertMemory; transition: Transition } {
  return advanceAlert(memory, thresholdObservation(rule, value), rule.forEvaluations, at);
}

/** A value against a limit: beyond it breaches; back past the clear level (default the limit) clears. */
export function thresholdObservation(rule: Pick<ThresholdRule, 'direction' | 'limit' | 'clearAt'>, value: number): Observation {
  const clear = rule.clearAt ?? rule.limit;
  return rule.direction === '>' ? { breaching: value > rule.limit, cleared: value <= clear } : { breaching: value < rule.limit, cleared: value >= clear };
}

/** One observation of any rule: whether it breaches, and whether it is past the clear level. */
export interface Observation {
  breaching: boolean;
  /** For rules without hysteresis, simply `!breaching`. */
  cleared: boolean;
}

export function advanceAlert(memory: AlertMemory, observation: Observation, forEvaluations: number, at: number): { memory: AlertMemory; transition: Transition } {
  if (memory.lastEvaluatedAt !== null && at <= memory.lastEvaluatedAt) return { memory, transition: 'none' };
  const next = (state: AlertState, breaches: number): AlertMemory => ({ state, breaches, lastEvaluatedAt: at });

  if (memory.state === 'firing') {
    return observation.cleared ? { memory: next('ok', 0), transition: 'resolved' } : { memory: next('firing', observation.breaching ? memory.breaches + 1 : memory.breaches), transition: 'none' };
  }
  if (!observation.breaching) {
    return { memory: next('ok', 0), transition: memory.state === 'pending' ? 'cancelled' : 'none' };
  }
  const breaches = memory.breaches + 1;
  if (breaches >= forEvaluations) return { memory: next('firing', breaches), transition: 'fired' };
  return { memory: next('pending', breaches), transition: memory.state === 'pending' ? 'none' : 'pending' };
}

/**
 * Breaches found in late data — times at or before the latest time already evaluated. The live state machine has
 * moved on, so late data is judged on its own: every run of at least `forEvaluations` consecutive breaching
 * observations is one late exceedance, from its first to its last breaching time.
 */
export function lateBreachRuns<T extends Observation & { at: number }>(observations: readonly T[], forEvaluations: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  for (const o of [...observations].sort((a, b) => a.at - b.at)) {
    if (o.breaching) run.push(o);
    else {
      if (run.length >= forEvaluations) runs.push(run);
      run = [];
    }
  }
  if (run.length >= forEvaluations) runs.push(run);
  return runs;
}
