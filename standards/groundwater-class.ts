/**
 * Groundwater quality classes by GB/T 14848-2017 Table 1: each indicator takes the best class whose limit it
 * meets (a shared limit goes to the better class, 从优不从劣), values beyond the Class IV limit are Class V; pH
 * has a range (I–III 6.5–8.5, IV 5.5–6.5 or 8.5–9.0, V beyond); a sample takes its worst indicator's class.
 * The overall rule and 从优不从劣 are confirmed for the 1993 edition only (see standards/data/SOURCES.md).
 */
import gbt14848 from './data/gbt14848-2017.json' with { type: 'json' };
import { compareDecimal } from '../lib/decimal.ts';

export type GroundwaterClass = 'I' | 'II' | 'III' | 'IV' | 'V';
const order: readonly GroundwaterClass[] = ['I', 'II', 'III', 'IV', 'V'];

/** envmon parameter codes → GB/T 14848 keys, for the parameters envmon catalogues (耗氧量 is the CODMn method). */
const keys: Record<string, string> = { ph: 'pH', nh3_n: 'ammoniaNitrogen', codmn: 'oxygenConsumption' };

interface Indicator {
  key: string;
  direction: string;
  limits?: Record<string, number>;
}
const indicators = new Map((gbt14848.table1RegularIndicators as Indicator[]).map((i) => [i.key, i]));

/** Class of one indicator; accepts envmon codes or the standard's keys. null if the standard has no such item. */
export function groundwaterIndicatorClass(parameter: string, value: string): GroundwaterClass | null {
  const key = keys[parameter] ?? parameter;
  if (key === 'pH') {
    const within = (min: string, max: string) => compareDecimal(value, min) >= 0 && compareDecimal(value, max) <= 0;
    if (within('6.5', '8.5')) return 'I';
    return within('5.5', '9.0') ? 'IV' : 'V';
  }
  const item = indicators.get(key);
  if (!item?.limits) return null;
  for (const cls of order.slice(0, 4)) {
    const limit = item.limits[cls];
    if (limit !== undefined && compareDecimal(value, String(limit)) <= 0) return cls;
  }
  return 'V';
}

/** The sample's class: its worst indicator's, with the indicators of that class. */
export function groundwaterClass(values: Readonly<Record<string, string>>): { class: GroundwaterClass; worst: string[] } | null {
  const classes = Object.entries(values).flatMap(([p, v]) => {
    const c = groundwaterIndicatorClass(p, v);
    return c ? [[p, c] as const] : [];
  });
  if (classes.length === 0) return null;
  const worst = Math.max(...classes.map(([, c]) => order.indexOf(c)));
  const cls = order[worst] ?? 'V';
  return { class: cls, worst: classes.filter(([, c]) => c === cls).map(([p]) => p) };
}
