/**
 * The alert state machine of one rule for one subject (site, parameter), as a pure function of the previous state
 * and a new evaluation. Persistence: a breach must hold for `forEvaluations` consecutive values before the alert
 * fires (pending until then); a gap in the data — the next value later than the series' expected spacing
 * (evaluate/series-spacing.ts) — breaks the run, and counting starts again. Hysteresis: a firing alert clears only
 * once the value is back past the separate clear level, so a value hovering at the limit does not flap.
 * Re-evaluating the same time changes nothing, so late or repeated data never fires twice. Values are compared
 * with limits as exact decimals, never binary floats.
 */
import { compareDecimal } from '../lib/decimal.ts';

export type AlertState = 'ok' | 'pending' | 'firing';

export interface AlertMemory {
  state: AlertState;
  /** Consecutive breaching values so far. */
  breaches: number;
  /** The latest evaluated time (ms); evaluations at or before it are ignored. */
  lastEvaluatedAt: number | null;
}

export interface ThresholdRule {
  /** Fire above (`>`) or below (`<`) the limit (DO, for instance, breaches below). */
  direction: '>' | '<';
  /** A canonical decimal in the parameter's unit. */
  limit: string;
  /** Where a firing alert clears; defaults to the limit. For `>` it must not exceed the limit. */
  clearAt?: string;
  /** Consecutive breaching values needed to fire. */
  forEvaluations: number;
}

/** `restarted`: a pending run was broken by a gap in the data; this breach starts a new one. */
export type Transition = 'none' | 'pending' | 'fired' | 'resolved' | 'cancelled' | 'restarted';

export const initialMemory: AlertMemory = { state: 'ok', breaches: 0, lastEvaluatedAt: null };

export function evaluateThreshold(memory: AlertMemory, rule: ThresholdRule, value: string, at: number): { memory: AlertMemory; transition: Transition } {
  return advanceAlert(memory, thresholdObservation(rule, value), rule.forEvaluations, at);
}

/**
 * A value (a canonical decimal, as stored) against a limit: beyond it breaches; back past the clear level (default
 * the limit) clears. Exactly: 75.000 is not over 75, 75.001 is.
 */
export function thresholdObservation(rule: Pick<ThresholdRule, 'direction' | 'limit' | 'clearAt'>, value: string): Observation {
  const toLimit = compareDecimal(value, rule.limit);
  const toClear = compareDecimal(value, rule.clearAt ?? rule.limit);
  return rule.direction === '>' ? { breaching: toLimit > 0, cleared: toClear <= 0 } : { breaching: toLimit < 0, cleared: toClear >= 0 };
}

/** One observation of any rule: whether it breaches, and whether it is past the clear level. */
export interface Observation {
  breaching: boolean;
  /** For rules without hysteresis, simply `!breaching`. */
  cleared: boolean;
  /**
   * The series' expected spacing (ms): a value later than this after the previous one follows a gap, which breaks
   * a run of breaches. Without it, any two successive values are consecutive.
   */
  spacingMs?: number | undefined;
}

/** Whether a value at `at` follows the previous one at `previous` across a gap in the data. */
export function followsGap(observation: Pick<Observation, 'spacingMs'>, previous: number | null, at: number): boolean {
  return observation.spacingMs !== undefined && previous !== null && at - previous > observation.spacingMs;
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
  // A pending run counts consecutive breaches: after a gap in the data, this breach starts the count again.
  if (memory.state === 'pending' && followsGap(observation, memory.lastEvaluatedAt, at)) {
    return forEvaluations <= 1 ? { memory: next('firing', 1), transition: 'fired' } : { memory: next('pending', 1), transition: 'restarted' };
  }
  const breaches = memory.breaches + 1;
  if (breaches >= forEvaluations) return { memory: next('firing', breaches), transition: 'fired' };
  return { memory: next('pending', breaches), transition: memory.state === 'pending' ? 'none' : 'pending' };
}

/**
 * Breaches found in late data — times at or before the latest time already evaluated. The live state machine has
 * moved on, so late data is judged on its own: every run of at least `forEvaluations` consecutive breaching
 * observations (no non-breaching value and no gap in the data between them) is one late exceedance, from its first
 * to its last breaching time.
 */
export function lateBreachRuns<T extends Observation & { at: number }>(observations: readonly T[], forEvaluations: number): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  for (const o of [...observations].sort((a, b) => a.at - b.at)) {
    if (o.breaching && followsGap(o, run.at(-1)?.at ?? null, o.at)) {
      if (run.length >= forEvaluations) runs.push(run);
      run = [o];
    } else if (o.breaching) run.push(o);
    else {
      if (run.length >= forEvaluations) runs.push(run);
      run = [];
    }
  }
  if (run.length >= forEvaluations) runs.push(run);
  return runs;
}
