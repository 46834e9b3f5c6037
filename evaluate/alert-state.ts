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
  if (memory.lastEvaluatedAt !== null && at <= memory.lastEvaluatedAt) return { memory, transition: 'none' };
  const breaching = rule.direction === '>' ? value > rule.limit : value < rule.limit;
  const clear = rule.clearAt ?? rule.limit;
  const cleared = rule.direction === '>' ? value <= clear : value >= clear;
  const next = (state: AlertState, breaches: number): AlertMemory => ({ state, breaches, lastEvaluatedAt: at });

  if (memory.state === 'firing') {
    return cleared ? { memory: next('ok', 0), transition: 'resolved' } : { memory: next('firing', breaching ? memory.breaches + 1 : memory.breaches), transition: 'none' };
  }
  if (!breaching) {
    return { memory: next('ok', 0), transition: memory.state === 'pending' ? 'cancelled' : 'none' };
  }
  const breaches = memory.breaches + 1;
  if (breaches >= rule.forEvaluations) return { memory: next('firing', breaches), transition: 'fired' };
  return { memory: next('pending', breaches), transition: memory.state === 'pending' ? 'none' : 'pending' };
}
