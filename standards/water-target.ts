/**
 * A water section against its plan target — the one judgement the water_class rule (each sample), the daily summary
 * (the day's means) and `envmon targets` (year to date) all make, so they never disagree.
 *
 * The target is the section's governing water_class target in force at the time (past its period, the latest
 * earlier one still applies). Its seasonal special limits (武良: NH3-N ≤ 8 mg/L November–March, ≤ 5 April–October,
 * by the county plan) replace the GB 3838 class limit for their parameter in their months: that parameter is then
 * judged against the special limit alone (inclusive, as exact decimals) and left out of the class. The section's
 * class is the GB 3838-2002 single-factor class (its worst parameter) of the other parameters. The target is met when
 * that class is at least the target class and no special limit is exceeded.
 *
 * Months are those of Beijing time, of the hour a value ends (the 24:00 value belongs to the day before).
 */
import type { TargetConfig } from '../config/schema.ts';
import { pushTo } from '../lib/collections.ts';
import { compareExact } from '../lib/decimal-number.ts';
import { BEIJING_OFFSET_MS, HOUR_MS } from '../lib/time.ts';
import { exactMean } from './air-statistics.ts';
import { meetsClass, sectionClass, type WaterClass } from './water-class.ts';

export type SeasonalLimit = NonNullable<TargetConfig['seasonalLimits']>[number];

export interface WaterTarget {
  /** The class to hold. */
  cls: WaterClass;
  /** The target's id, or null for a class a rule sets itself. */
  id: string | null;
  /** Where the target comes from, as shown to readers. */
  source: string;
  seasonal: readonly SeasonalLimit[];
  /** The last day of the target's period (YYYY-MM-DD); past it the target may still govern (carried over). */
  validTo?: string;
}

export interface TargetAssessment {
  /** GB 3838 class of the parameters judged by class (those under a special limit excepted); null if none. */
  class: WaterClass | null;
  targetClass: WaterClass;
  /** Whether the target is met; null when nothing could be judged. */
  meets: boolean | null;
  /** Whether the class alone meets the target class; null without a class. */
  classMeets: boolean | null;
  /** The parameters that set the class, with their values. */
  worst: { parameter: string; class: WaterClass; value: string }[];
  /** The special limits in force, each against its parameter's value. */
  /** `assumption`: the label of the limit's assumed months (config `seasonalLimits[].assumption`), when set. */
  seasonal: { parameter: string; limit: number; value: string; breached: boolean; assumption?: string }[];
}

/** A water_class target as the class it requires and its special limits. */
export function waterTargetOf(target: TargetConfig): WaterTarget {
  const cls = String(target.target.comparator === 'not_worse_than_baseline' ? target.baseline?.value : target.target.value) as WaterClass;
  return { cls, id: target.id, source: `${target.document}（${target.id}，${target.validFrom}–${target.validTo}）`, seasonal: target.seasonalLimits ?? [], validTo: target.validTo };
}

/** The governing water-class target of a site in force at a time (ms, an hour end); past its period, the latest earlier one still applies. */
export function waterTargetFor(targets: readonly TargetConfig[], site: string, at: number): WaterTarget | null {
  const day = new Date(at + BEIJING_OFFSET_MS - HOUR_MS).toISOString().slice(0, 10);
  const candidates = targets
    .filter((t) => t.indicator === 'water_class' && t.governing && 'site' in t.scope && t.scope.site === site && t.validFrom <= day)
    .sort((a, b) => b.validTo.localeCompare(a.validTo));
  const target = candidates.find((t) => t.validTo >= day) ?? candidates[0];
  return target ? waterTargetOf(target) : null;
}

/** The Beijing-time month (1–12) of the hour ending at `at`. */
export function monthOfHourEnd(at: number): number {
  return new Date(at + BEIJING_OFFSET_MS - HOUR_MS).getUTCMonth() + 1;
}

/** The special limit a target sets for a parameter in a month, if any. */
export function seasonalLimitFor(target: WaterTarget, parameter: string, month: number): SeasonalLimit | undefined {
  return target.seasonal.find((l) => l.parameter === parameter && l.months.includes(month));
}

/** One value per parameter (a sample, or a day's means) at a time `at` (ms, an hour end): null when nothing is judged. */
export function assessAgainstTarget(values: Readonly<Record<string, string>>, target: WaterTarget, at: number, waterBody: 'river' | 'lake_reservoir'): TargetAssessment | null {
  const month = monthOfHourEnd(at);
  const byClass: Record<string, string> = {};
  const special: { limit: SeasonalLimit; value: string }[] = [];
  for (const [parameter, value] of Object.entries(values)) {
    const limit = seasonalLimitFor(target, parameter, month);
    if (limit) special.push({ limit, value });
    else byClass[parameter] = value;
  }
  return judge(byClass, special, target, waterBody);
}

/**
 * Samples over a period (year to date): each value is judged by the limit of its own month — a parameter's values
 * under one special limit by their mean against it, the values judged by class by their mean — so winter NH3-N is
 * held to the winter limit and summer NH3-N to the summer one.
 */
export function assessSamplesAgainstTarget(samples: readonly { at: number; values: Readonly<Record<string, string>> }[], target: WaterTarget, waterBody: 'river' | 'lake_reservoir'): TargetAssessment | null {
  const byClass = new Map<string, string[]>();
  const bySpecial = new Map<SeasonalLimit, string[]>();
  for (const sample of samples) {
    const month = monthOfHourEnd(sample.at);
    for (const [parameter, value] of Object.entries(sample.values)) {
      const limit = seasonalLimitFor(target, parameter, month);
      if (limit) pushTo(bySpecial, limit, value);
      else pushTo(byClass, parameter, value);
    }
  }
  const means = Object.fromEntries([...byClass].map(([parameter, list]) => [parameter, exactMean(list, 3)]));
  // In the order the target lists its special limits.
  const special = target.seasonal.flatMap((limit) => {
    const list = bySpecial.get(limit);
    return list ? [{ limit, value: exactMean(list, 3) }] : [];
  });
  return judge(means, special, target, waterBody);
}

function judge(byClass: Readonly<Record<string, string>>, special: readonly { limit: SeasonalLimit; value: string }[], target: WaterTarget, waterBody: 'river' | 'lake_reservoir'): TargetAssessment | null {
  const assessment = sectionClass(byClass, waterBody);
  if (!assessment && special.length === 0) return null;
  const seasonal = special.map(({ limit, value }) => ({ parameter: limit.parameter, limit: limit.limit, value, breached: compareExact(value, limit.limit) > 0, ...(limit.assumption ? { assumption: limit.assumption } : {}) }));
  const classMeets = assessment ? meetsClass(assessment.class, target.cls) : null;
  return {
    class: assessment?.class ?? null,
    targetClass: target.cls,
    meets: classMeets !== false && seasonal.every((s) => !s.breached),
    classMeets,
    worst: assessment ? assessment.worst.map((w) => ({ ...w, value: byClass[w.parameter] ?? '' })) : [],
    seasonal,
  };
}
