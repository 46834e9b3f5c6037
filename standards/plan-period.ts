/**
 * Five-Year plan periods and where each configured plan target stands on a date. Plan targets are set per
 * national Five-Year plan (十四五 2021–2025, 十五五 2026–2030); when a period ends, its targets stop being in force
 * but stay what the bureau reports against until the operator enters the next plan's values:
 * - in force: the date lies in the target's validity (validFrom … validTo);
 * - final: the target's period has ended; its final year (the year of validTo) is reported as its result;
 * - reference: the latest ended governing target of an indicator and scope that no governing target in force covers,
 *   carried forward and labelled as a reference — never presented as a target in force.
 * Dates are Beijing calendar days (YYYY-MM-DD), compared as text.
 */
import { compareDecimal } from '../lib/decimal.ts';
import { asDecimal, subtractDecimal } from '../lib/decimal-number.ts';
import { waterClassZh, type WaterClass } from './water-class.ts';

/** The name of a national Five-Year plan period. */
export type PlanName = '十四五' | '十五五';

export interface PlanPeriod {
  name: PlanName;
  /** First day of the period (YYYY-MM-DD). */
  from: string;
  /** Last day of the period (YYYY-MM-DD). */
  to: string;
}

/** The national Five-Year plan periods: 14th (2021–2025) and 15th (2026–2030). */
export const planPeriods: readonly PlanPeriod[] = [
  { name: '十四五', from: '2021-01-01', to: '2025-12-31' },
  { name: '十五五', from: '2026-01-01', to: '2030-12-31' },
];

/** The plan period a day (YYYY-MM-DD) falls in; null outside 2021–2030. */
export function planPeriodOf(day: string): PlanPeriod | null {
  return planPeriods.find((p) => p.from <= day && day <= p.to) ?? null;
}

/** The fields of a configured target this module reads. */
export interface PlanTarget {
  id: string;
  document: string;
  indicator: string;
  scope: { site: string } | { area: string };
  governing: boolean;
  validFrom: string;
  validTo: string;
}

export type TargetStatus = 'in_force' | 'reference' | 'final';

export interface TargetStanding<T extends PlanTarget> {
  target: T;
  status: TargetStatus;
  /** The plan period of the target (the one its last day falls in); null outside 2021–2030. */
  plan: PlanName | null;
  /** For an ended target (final or reference): the year whose result is its final one (validTo's year). */
  finalYear: number | null;
  /** Why the target is shown as it is, in Chinese, e.g. 参考值（沿用十四五目标，十五五目标未录入）. */
  statusNote: string;
  /** The target's period in Chinese, e.g. 十四五目标（2021-01-01 至 2025-12-31），已于2025年末到期. */
  periodNote: string;
}

/** The plan a target belongs to: the period its last day falls in. */
export function planOfTarget(target: Pick<PlanTarget, 'validTo'>): PlanName | null {
  return planPeriodOf(target.validTo)?.name ?? null;
}

/** `2025年末` for a last day of December, otherwise the date itself. */
function endText(day: string): string {
  return day.endsWith('-12-31') ? `${day.slice(0, 4)}年末` : day;
}

const scopeKey = (t: PlanTarget) => `${t.indicator}|${'site' in t.scope ? `site:${t.scope.site}` : `area:${t.scope.area}`}`;

/**
 * Where each target stands on `day`. Returned: every target in force; every ended target whose last day lies in
 * the current or the previous plan period (the finals still reported), of which the latest governing one per
 * indicator and scope without a governing target in force becomes the reference. Older ended targets and targets
 * not yet in force are left out. Order: that of `targets`.
 */
export function targetStandings<T extends PlanTarget>(targets: readonly T[], day: string): TargetStanding<T>[] {
  const current = planPeriodOf(day);
  const previous = current ? planPeriods[planPeriods.indexOf(current) - 1] : undefined;
  // Ended targets are reported from the start of the previous period on; outside the known periods, from the
  // start of the latest period that has ended.
  const reportedFrom = previous?.from ?? current?.from ?? [...planPeriods].reverse().find((p) => p.to < day)?.from ?? day;
  const inForce = targets.filter((t) => t.validFrom <= day && day <= t.validTo);
  const covered = new Set(inForce.filter((t) => t.governing).map(scopeKey));
  const ended = targets.filter((t) => t.validTo < day);
  // The latest ended governing target per indicator and scope: latest last day, then latest first day, then the
  // one configured last.
  const latest = new Map<string, T>();
  for (const t of ended.filter((e) => e.governing)) {
    const seen = latest.get(scopeKey(t));
    if (!seen || t.validTo > seen.validTo || (t.validTo === seen.validTo && t.validFrom >= seen.validFrom)) latest.set(scopeKey(t), t);
  }
  const references = new Set([...latest].filter(([key]) => !covered.has(key)).map(([, t]) => t));
  const currentName = current?.name ?? '当期规划';

  const standings: TargetStanding<T>[] = [];
  for (const t of targets) {
    const plan = planOfTarget(t);
    const planText = `${plan ?? '规划'}目标（${t.validFrom} 至 ${t.validTo}）`;
    if (inForce.includes(t)) {
      standings.push({ target: t, status: 'in_force', plan, finalYear: null, statusNote: `在期目标（${plan ?? '规划'}）`, periodNote: planText });
    } else if (references.has(t)) {
      const finalYear = Number(t.validTo.slice(0, 4));
      standings.push({
        target: t,
        status: 'reference',
        plan,
        finalYear,
        statusNote: `参考值（沿用${plan ?? '上一期规划'}目标，${currentName}目标未录入）`,
        periodNote: `${planText}已于${endText(t.validTo)}到期；${currentName}目标录入前按其目标值作参考，不是在期考核目标`,
      });
    } else if (t.validTo < day && t.validTo >= reportedFrom) {
      const finalYear = Number(t.validTo.slice(0, 4));
      const why = !t.governing ? '非主导目标' : covered.has(scopeKey(t)) ? `已有在期目标` : '同一指标已有更晚到期的目标';
      standings.push({ target: t, status: 'final', plan, finalYear, statusNote: `已到期（${why}），仅列 ${finalYear} 年终结果`, periodNote: `${planText}已于${endText(t.validTo)}到期` });
    }
  }
  return standings;
}

/**
 * Why no target in force is shown on `day`, said rather than left silent: nothing configured, or every configured
 * target has ended (and whether references are carried), or none has begun. Null when some target is in force.
 */
export function noTargetInForceNote(targets: readonly PlanTarget[], day: string): string | null {
  if (targets.length === 0) return '未配置规划目标（配置文件 targets 为空）';
  const standings = targetStandings(targets, day);
  if (standings.some((s) => s.status === 'in_force')) return null;
  const year = day.slice(0, 4);
  const current = planPeriodOf(day)?.name ?? '当期规划';
  const ended = [...targets].filter((t) => t.validTo < day).sort((a, b) => b.validTo.localeCompare(a.validTo))[0];
  if (!ended) return `${year} 年无在期规划目标：已配置的目标均尚未生效（最早自 ${[...targets].sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0]?.validFrom ?? ''} 起）`;
  const plan = planOfTarget(ended) ?? '已配置的';
  const references = standings.filter((s) => s.status === 'reference').length;
  return `${year} 年无在期规划目标：${plan}目标已于${endText(ended.validTo)}到期，${current}目标未录入${references > 0 ? `；${references} 项沿用${plan}目标作参考值（非在期考核目标），另列 ${ended.validTo.slice(0, 4)} 年终结果` : `；列出 ${ended.validTo.slice(0, 4)} 年终结果`}`;
}

/** The final-year result of an ended target, as published. */
export interface FinalResult {
  /** The final year (the year of the target's last day). */
  year: number;
  /** The year's value as published (GB/T 8170: PM2.5 an integer μg/m³, ratios two decimals %; a water class); null without data. */
  value: string | null;
  /** The value the result is compared with (the target value, or the baseline of a "keep stable or improve" target). */
  limit: string;
  /** Whether the published value meets the target; null without data. */
  met: boolean | null;
  /**
   * How far the published value is inside the target (positive or zero) or outside it (negative), exactly, in the
   * indicator's unit: limit − value for ≤ indicators, value − limit for the good-day ratio. Null for a water class
   * or without data.
   */
  margin: string | null;
  /** Days (or water samples) the value rests on. */
  basis: number;
  /** The result in one Chinese sentence, e.g. 2025 年 PM2.5 年均 41 μg/m³，目标 ≤ 44，达标，余量 3. */
  text: string;
}

/** Each indicator's name, the unit after a value, the unit after the target (none for PM2.5, as plans write it) and direction. */
const indicatorLabels: Record<string, { name: string; unit: string; targetUnit: string; comparator: '<=' | '>=' | 'class' }> = {
  pm2_5_annual_mean: { name: 'PM2.5 年均', unit: ' μg/m³', targetUnit: '', comparator: '<=' },
  good_day_ratio: { name: '优良天数比例', unit: '%', targetUnit: '%', comparator: '>=' },
  heavy_pollution_day_ratio: { name: '重污染天数比例', unit: '%', targetUnit: '%', comparator: '<=' },
  heavy_pollution_days: { name: '重污染天数', unit: ' 天', targetUnit: ' 天', comparator: '<=' },
  water_class: { name: '水质类别', unit: '', targetUnit: '', comparator: 'class' },
};

/**
 * The final result of a target from its final year's figures: `value` as published (already rounded per GB/T
 * 8170), `met` as the progress judged it, `limit` the value compared with. The margin is exact decimal arithmetic
 * on the published value, so 43.9 published as 44 against ≤ 44 is met with a margin of 0. With `expectedDays`
 * (the days of the final year), an air figure resting on fewer days says how many it has.
 */
export function finalResult(indicator: string, year: number, value: string | null, met: boolean | null, limit: number | string, basis: number, expectedDays?: number): FinalResult {
  const label = indicatorLabels[indicator] ?? { name: indicator, unit: '', targetUnit: '', comparator: '<=' as const };
  if (label.comparator === 'class') {
    const cls = (c: string) => waterClassZh[c as WaterClass] ?? c;
    const limitText = String(limit);
    const judged = value === null ? '无数据，无法评价' : met ? '达标' : '未达标';
    return { year, value, limit: limitText, met: value === null ? null : met, margin: null, basis, text: `${year} 年 ${label.name} ${value === null ? '无数据' : cls(value)}，目标 ${cls(limitText)}或更好，${judged}` };
  }
  const limitText = asDecimal(limit);
  const target = `目标 ${label.comparator === '<=' ? '≤' : '≥'} ${limitText}${label.targetUnit}`;
  if (value === null) return { year, value, limit: limitText, met: null, margin: null, basis, text: `${year} 年 ${label.name} 无数据，${target}，无法评价` };
  const margin = label.comparator === '<=' ? subtractDecimal(limitText, value) : subtractDecimal(value, limitText);
  const ok = met ?? compareDecimal(margin, '0') >= 0;
  const amount = margin.startsWith('-') ? margin.slice(1) : margin;
  const how = ok ? `达标，余量 ${amount}` : `未达标，${label.comparator === '<=' ? '超出' : '差'} ${amount}`;
  // A year short of data says so: the figure rests on fewer days than the year has.
  const short = expectedDays !== undefined && basis < expectedDays ? `（有效数据 ${basis}/${expectedDays} 天）` : '';
  return { year, value, limit: limitText, met: ok, margin, basis, text: `${year} 年 ${label.name} ${value}${label.unit}${short}，${target}，${how}` };
}

/**
 * How a plan target is cited at a date. A target past its period that still governs (a section keeps the latest
 * earlier target until a new plan sets one) is said to be carried over — `十四五目标，2025年末到期，仍沿用` — never
 * cited as if it were the current year's target.
 */

/** The note for a target whose period ended before `day` (YYYY-MM-DD, Beijing); null while it is in its period. */
export function carriedOverNote(target: { document: string; validTo: string }, day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(target.validTo) || day <= target.validTo) return null;
  const plan = /十四五/.test(target.document) ? '十四五' : /十五五/.test(target.document) ? '十五五' : '规划';
  const end = target.validTo.endsWith('-12-31') ? `${target.validTo.slice(0, 4)}年末` : target.validTo;
  return `${plan}目标，${end}到期，仍沿用`;
}
