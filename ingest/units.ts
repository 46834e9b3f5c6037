/**
 * Unit conversion to each parameter's canonical unit. Only exact power-of-ten conversions are supported, done on
 * the decimal text; any other unit is refused rather than guessed (ppb → μg/m³, for instance, needs temperature
 * and pressure and is not a pure rescale).
 */
import { shiftDecimal } from '../lib/decimal.ts';

/** Spellings seen in feeds → one canonical spelling. */
const aliases: Record<string, string> = {
  'ug/m3': 'μg/m³', 'µg/m³': 'μg/m³', 'µg/m3': 'μg/m³', 'μg/m3': 'μg/m³',
  'mg/m3': 'mg/m³',
  'ng/m3': 'ng/m³', 'ng/m³': 'ng/m³',
  'mg/l': 'mg/L', 'ug/l': 'μg/L', 'µg/l': 'μg/L', 'μg/l': 'μg/L',
  'us/cm': 'μS/cm', 'µs/cm': 'μS/cm', 'μs/cm': 'μS/cm',
  '℃': '°C', 'degc': '°C', '°c': '°C',
  'ph': 'pH',
};

/** Powers of ten relating units of one dimension: value in `from` × 10^exp = value in `to`. */
const scale: Record<string, number> = {
  'ng/m³': -9, 'μg/m³': -6, 'mg/m³': -3,
  'μg/L': -6, 'mg/L': -3,
};

const canonicalCache = new Map<string, string>();

export function canonicalUnit(unit: string): string {
  let canonical = canonicalCache.get(unit);
  if (canonical === undefined) {
    const trimmed = unit.trim();
    canonical = aliases[trimmed.toLowerCase()] ?? trimmed;
    if (canonicalCache.size < 1000) canonicalCache.set(unit, canonical);
  }
  return canonical;
}

/** Converts a canonical decimal between units; null when there is no exact conversion. */
export function convertUnit(value: string, from: string, to: string): string | null {
  const a = canonicalUnit(from);
  const b = canonicalUnit(to);
  if (a === b) return value;
  // pH has no unit; feeds write it as empty or "dimensionless".
  if (b === 'pH' && (a === '' || a === 'dimensionless')) return value;
  const sa = scale[a];
  const sb = scale[b];
  // Mass per volume of air and of water are different dimensions even though both rescale by powers of ten.
  if (sa === undefined || sb === undefined || a.endsWith('/L') !== b.endsWith('/L')) return null;
  return shiftDecimal(value, sa - sb);
}
