/**
 * Surface-water quality classes by GB 3838-2002 Table 1 and single-factor assessment (§5.1; 《地表水环境质量
 * 评价办法（试行）》 环办[2011]22号): each parameter gets the best class whose limit it meets (DO is a lower bound,
 * pH a range, TP has separate limits for lakes and reservoirs), and a section takes its worst parameter's class;
 * a value failing Class V makes it 劣Ⅴ. Where adjacent classes share a limit (COD I and II are both 15), a value
 * meeting it takes the better class. Water temperature, total nitrogen and fecal coliform are reference
 * indicators, not part of the class. Values are compared as exact decimals.
 */
import gb3838 from './data/gb3838-2002.json' with { type: 'json' };
import { compareDecimal } from '../lib/decimal.ts';

export const waterClasses = ['I', 'II', 'III', 'IV', 'V'] as const;
export type WaterClass = (typeof waterClasses)[number] | '劣V';
export const waterClassZh: Record<WaterClass, string> = { I: 'Ⅰ类', II: 'Ⅱ类', III: 'Ⅲ类', IV: 'Ⅳ类', V: 'Ⅴ类', 劣V: '劣Ⅴ类' };

/** envmon parameter code → the key of GB 3838 Table 1 (only the parameters envmon measures). */
const tableKeys: Record<string, string> = {
  ph: 'pH',
  do: 'dissolvedOxygen',
  codmn: 'permanganateIndex',
  cod: 'cod',
  bod5: 'bod5',
  nh3_n: 'ammoniaNitrogen',
  tp: 'totalPhosphorus',
};

interface Item {
  key: string;
  direction: string;
  limits?: Record<string, number>;
  limitsLakeReservoir?: Record<string, number>;
  range?: { min: number; max: number };
}
const items = new Map((gb3838.table1BasicItems.items as Item[]).map((i) => [i.key, i]));

/** Whether GB 3838 classifies this parameter (the 21 indicators of national practice that envmon measures). */
export function isClassified(parameter: string): boolean {
  return parameter in tableKeys;
}

/** The limit of one class for a parameter, with its direction, for evidence in alerts. */
export function classLimit(parameter: string, cls: (typeof waterClasses)[number], waterBody: 'river' | 'lake_reservoir' = 'river'): { limit: string; direction: '<=' | '>=' | 'range' } | null {
  const item = items.get(tableKeys[parameter] ?? '');
  if (!item) return null;
  if (item.direction === 'range' && item.range) return { limit: `${item.range.min}–${item.range.max}`, direction: 'range' };
  const limits = waterBody === 'lake_reservoir' && item.limitsLakeReservoir ? item.limitsLakeReservoir : item.limits;
  const limit = limits?.[cls];
  return limit === undefined ? null : { limit: String(limit), direction: item.direction === '>=' ? '>=' : '<=' };
}

/** The class a parameter's value meets (a canonical decimal in the parameter's unit); null if not classified. */
export function parameterClass(parameter: string, value: string, waterBody: 'river' | 'lake_reservoir' = 'river'): WaterClass | null {
  const item = items.get(tableKeys[parameter] ?? '');
  if (!item) return null;
  if (item.direction === 'range' && item.range) {
    // pH 6–9 applies to every class: inside it meets Class I, outside it fails all.
    return compareDecimal(value, String(item.range.min)) >= 0 && compareDecimal(value, String(item.range.max)) <= 0 ? 'I' : '劣V';
  }
  const limits = waterBody === 'lake_reservoir' && item.limitsLakeReservoir ? item.limitsLakeReservoir : item.limits;
  for (const cls of waterClasses) {
    const limit = limits?.[cls];
    if (limit === undefined) continue;
    const c = compareDecimal(value, String(limit));
    if (item.direction === '>=' ? c >= 0 : c <= 0) return cls;
  }
  return '劣V';
}

export interface SectionAssessment {
  class: WaterClass;
  /** The parameters that set the class (the worst), each with its class. */
  worst: { parameter: string; class: WaterClass }[];
  byParameter: Record<string, WaterClass>;
}

/** Single-factor assessment of a section from one value per parameter; null when none is classified. */
export function sectionClass(values: Readonly<Record<string, string>>, waterBody: 'river' | 'lake_reservoir' = 'river'): SectionAssessment | null {
  const byParameter: Record<string, WaterClass> = {};
  for (const [parameter, value] of Object.entries(values)) {
    const cls = parameterClass(parameter, value, waterBody);
    if (cls) byParameter[parameter] = cls;
  }
  const entries = Object.entries(byParameter);
  if (entries.length === 0) return null;
  const rank = (c: WaterClass) => (c === '劣V' ? 5 : waterClasses.indexOf(c));
  const worstRank = Math.max(...entries.map(([, c]) => rank(c)));
  const worst = entries.filter(([, c]) => rank(c) === worstRank).map(([parameter, c]) => ({ parameter, class: c }));
  return { class: worst[0]?.class ?? '劣V', worst, byParameter };
}

/** Whether a class is at least as good as a target class (for targets such as "武良 Class III by 2025"). */
export function meetsClass(actual: WaterClass, target: WaterClass): boolean {
  const rank = (c: WaterClass) => (c === '劣V' ? 5 : waterClasses.indexOf(c));
  return rank(actual) <= rank(target);
}
