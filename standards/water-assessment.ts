/**
 * Water-section assessment per calendar month and over a period (GB 3838-2002 §5.1 single-factor assessment, as the
 * national practice applies it: 《地表水环境质量评价办法（试行）》 环办〔2011〕22号).
 *
 * - Parameters: GB 3838 Table 1 basic items except water temperature, total nitrogen and faecal coliforms (the 21
 *   water-quality indicators of the 办法, restated by MEE's 2020 统计技术规定); of these envmon measures pH, DO, CODMn,
 *   COD, BOD5, NH3-N and TP. TN is left out of the class for rivers and lakes/reservoirs alike (for lakes/reservoirs the
 *   办法 uses it in the trophic-state evaluation, which envmon does not make). pH is judged against its 6–9 range:
 *   inside it does not lower the class, outside it makes the section 劣Ⅴ (standards/water-class.ts).
 * - A month's value of a parameter is the arithmetic mean of its values in the month (办法 一(二)1: 周、旬、月评价可
 *   采用一次监测数据评价，有多次监测数据时采用算术平均值); one value is enough (MINIMUM_SAMPLES). pH is averaged
 *   arithmetically like the others (the 办法 names no other rule for pH — not verified in its full text).
 * - Means are rounded by GB/T 8170 (half to even, on the exact decimal) to three decimals (MEAN_DIGITS, the finest
 *   decimal of the Table 1 limits of the parameters envmon measures: TP lakes 0.025) before they are classified.
 * - The class is the worst class of the participating parameters (办法 二(一)1: 类别最高的一项); failing Class V is 劣Ⅴ.
 * - The target is the section's governing water_class target in force in the month (standards/water-target.ts); a
 *   seasonal special limit of the target replaces the class limit of its parameter in its months, so a winter month
 *   is held to the winter limit. A limit whose months are assumed carries its `assumption` label into the result.
 * - A period (year to date) takes the mean of all its samples per parameter, each value under a seasonal limit judged
 *   by the limit of its own month, exactly as `envmon targets` judges a water target.
 * - Drinking-water sources: GB 3838 Table 1 by class and the Table 2 supplementary items (single limits) when present
 *   in the data (GB 3838-2002 §4.2).
 */
import type { TargetConfig } from '../config/schema.ts';
import { compareDecimal, divideRounded } from '../lib/decimal.ts';
import { BEIJING_OFFSET_MS, HOUR_MS } from '../lib/time.ts';
import type { WaterAssessment, WaterSectionPeriod } from './assessment-types.ts';
import { exactMean } from './air-statistics.ts';
import gb3838 from './data/gb3838-2002.json' with { type: 'json' };
import { meetsClass, parameterClass, sectionClass, waterClasses, type WaterClass } from './water-class.ts';
import { assessAgainstTarget, assessSamplesAgainstTarget, monthOfHourEnd, seasonalLimitFor, waterTargetFor, type TargetAssessment, type WaterTarget } from './water-target.ts';

/** Decimals a mean is rounded to (GB/T 8170) before it is classified. */
export const MEAN_DIGITS = 3;
/** Values of a parameter a month needs for its mean: one (办法: 月评价可采用一次监测数据). */
export const MINIMUM_SAMPLES = 1;

/** The parameters that take part in the class, of those envmon measures (the 办法's 21 indicators). */
export const assessedParameters: readonly string[] = ['ph', 'do', 'codmn', 'cod', 'bod5', 'nh3_n', 'tp'];

/** GB 3838-2002 Table 2 supplementary items of drinking-water sources (mg/L, ≤), keyed by parameter code. */
export const supplementaryLimits: Readonly<Record<string, string>> = Object.fromEntries(
  gb3838.table2DrinkingWaterSourceSupplementary.items.map((i) => [i.key, String(i.limit)]),
);

/** The standard a source or section is judged by, as shown to readers. */
export const standardOf = (kind: WaterSection['kind']): string =>
  kind === 'drinking_water_source' ? 'GB 3838-2002 表1基本项目 + 表2集中式生活饮用水地表水源地补充项目（数据中有则评价）' : 'GB 3838-2002 表1基本项目';

export interface WaterSample {
  /** Hour end, ms. */
  at: number;
  values: Readonly<Record<string, string>>;
}

export interface WaterSection {
  site: string;
  name: string;
  kind: 'surface_water' | 'drinking_water_source';
  waterBody: 'river' | 'lake_reservoir';
  /** The configured targets (the governing water_class target of the site is picked by date). */
  targets: readonly TargetConfig[];
  originLabel: string | null;
}

/** 'YYYY-MM' of the Beijing-time hour ending at `at` (the 24:00 value belongs to the day before). */
export function monthKeyOf(at: number): string {
  return new Date(at + BEIJING_OFFSET_MS - HOUR_MS).toISOString().slice(0, 7);
}

/** The months 'YYYY-MM' from the month of `from` to the month of `to` (YYYY-MM-DD), in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > last) return months;
    months.push(key);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
}

/** One month of a section; `samples` are that month's; `targetAt` an hour end in the month whose target governs it. */
export function assessMonth(section: WaterSection, month: string, samples: readonly WaterSample[], targetAt: number): WaterSectionPeriod {
  const target = waterTargetFor(section.targets, section.site, targetAt);
  const means = meansOf(section.kind, samples);
  const classMeans = pick(means, assessedParameters);
  const judged = target && Object.keys(classMeans).length > 0 ? assessAgainstTarget(classMeans, target, targetAt, section.waterBody) : null;
  // Each value of the month sits under the same seasonal limit, so the class means are the means outside them.
  const outsideSeasonal = target ? Object.fromEntries(Object.entries(classMeans).filter(([p]) => !seasonalLimitFor(target, p, monthOfHourEnd(targetAt)))) : classMeans;
  return result(section, month, samples.length, means, target, judged, outsideSeasonal);
}

/** A section over a period (label such as '2025-01..2025-06'); `targetAt` the hour end whose target governs. */
export function assessPeriod(section: WaterSection, label: string, samples: readonly WaterSample[], targetAt: number): WaterSectionPeriod {
  const target = waterTargetFor(section.targets, section.site, targetAt);
  const means = meansOf(section.kind, samples);
  const classSamples = samples.map((s) => ({ at: s.at, values: pick(s.values, assessedParameters) }));
  const judged = target && samples.length > 0 ? assessSamplesAgainstTarget(classSamples, target, section.waterBody) : null;
  const outside = new Map<string, string[]>();
  for (const s of classSamples) {
    for (const [p, v] of Object.entries(s.values)) if (!target || !seasonalLimitFor(target, p, monthOfHourEnd(s.at))) outside.set(p, [...(outside.get(p) ?? []), v]);
  }
  const outsideSeasonal = Object.fromEntries([...outside].map(([p, list]) => [p, exactMean(list, MEAN_DIGITS)]));
  return result(section, label, samples.length, means, target, judged, outsideSeasonal);
}

/** Surface-water sections at Class III or better, and drinking-water sources meeting their target (percent, one decimal). */
export function sharesOf(period: readonly WaterSectionPeriod[]): Pick<WaterAssessment, 'classIIIOrBetter' | 'drinkingWaterCompliance'> {
  const surface = period.filter((p) => p.kind === 'surface_water' && p.class !== null);
  const sources = period.filter((p) => p.kind === 'drinking_water_source' && p.meetsTarget !== null);
  const good = surface.filter((p) => p.class !== null && meetsClass(p.class, 'III')).length;
  const met = sources.filter((p) => p.meetsTarget === true).length;
  return { classIIIOrBetter: share(good, surface.length), drinkingWaterCompliance: share(met, sources.length) };
}

/** count / total in percent, one decimal by GB/T 8170 (exact); null without anything assessed. */
export function share(count: number, assessed: number): { count: number; assessed: number; ratio: string | null } {
  return { count, assessed, ratio: assessed === 0 ? null : divideRounded(BigInt(count) * 100n, BigInt(assessed), 0, 1) };
}

function meansOf(kind: WaterSection['kind'], samples: readonly WaterSample[]): Record<string, string> {
  const taking = kind === 'drinking_water_source' ? [...assessedParameters, ...Object.keys(supplementaryLimits)] : assessedParameters;
  const byParameter = new Map<string, string[]>();
  for (const s of samples) for (const p of taking) {
    const v = s.values[p];
    if (v !== undefined) byParameter.set(p, [...(byParameter.get(p) ?? []), v]);
  }
  return Object.fromEntries([...byParameter].filter(([, list]) => list.length >= MINIMUM_SAMPLES).map(([p, list]) => [p, exactMean(list, MEAN_DIGITS)]));
}

function pick(values: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => keys.includes(k)));
}

const rank = (c: WaterClass) => (c === '劣V' ? 5 : waterClasses.indexOf(c));

function result(section: WaterSection, period: string, samples: number, means: Record<string, string>, target: WaterTarget | null, judged: TargetAssessment | null, outsideSeasonal: Readonly<Record<string, string>>): WaterSectionPeriod {
  const assessment = sectionClass(pick(means, assessedParameters), section.waterBody);
  const config = target?.id ? section.targets.find((t) => t.id === target.id) : undefined;
  const endOfPeriod = period.slice(-7);
  // Table 2 items have one limit for every class (GB 3838-2002 §4.2, Table 2): above it the source fails.
  const supplementary = section.kind === 'drinking_water_source' ? Object.keys(supplementaryLimits).filter((p) => means[p] !== undefined && compareDecimal(means[p], supplementaryLimits[p] as string) > 0) : [];
  const byClass = target ? Object.keys(outsideSeasonal).filter((p) => rank(parameterClass(p, outsideSeasonal[p] as string, section.waterBody) ?? 'I') > rank(target.cls)) : [];
  const seasonal = judged?.seasonal ?? [];
  const exceeding = [...new Set([...byClass, ...seasonal.filter((s) => s.breached).map((s) => s.parameter), ...supplementary])];
  const meets = judged?.meets ?? null;
  return {
    site: section.site,
    name: section.name,
    kind: section.kind,
    period,
    samples,
    means,
    class: assessment?.class ?? null,
    worstParameters: assessment?.worst.map((w) => w.parameter) ?? [],
    // `reference`: the target's own period has ended and it is carried over until a new one is configured.
    target: target && config ? { id: config.id, class: target.cls, document: config.document, reference: config.validTo.slice(0, 7) < endOfPeriod } : null,
    meetsTarget: meets === null ? null : meets && supplementary.length === 0,
    assumptions: [...new Set(seasonal.flatMap((s) => (s.assumption ? [s.assumption] : [])))],
    originLabel: section.originLabel,
    exceeding,
    seasonal,
    standard: standardOf(section.kind),
  };
}
