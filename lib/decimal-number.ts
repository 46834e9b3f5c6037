/**
 * Exact decimal arithmetic beyond lib/decimal.ts: configured numbers as the decimals an operator wrote, and the
 * differences, products and quotients rules compare with their limits — in scaled integers, never binary floats
 * (0.4 − 0.1 is 0.30000000000000004 as floats; as decimals it is 0.3, which does not exceed a rise of 0.3).
 */
import { compareDecimal, decimalPlaces, divideRounded, parseDecimal, shiftDecimal, toScaled } from './decimal.ts';

/**
 * A number from the configuration (YAML/JSON parse numbers to floats) as its shortest decimal: JavaScript prints
 * the shortest text that reads back as the same float, which is what the operator wrote (0.3 → "0.3").
 */
export function decimalOfNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${n} is not a finite number`);
  const text = String(n);
  const exponent = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  const decimal = exponent ? shiftDecimal(parseDecimal(exponent[1] as string) as string, Number(exponent[2])) : parseDecimal(text);
  if (decimal === null) throw new Error(`cannot read ${text} as a decimal`);
  return decimal;
}

/** A number or a decimal text, as a canonical decimal. */
export function asDecimal(value: number | string): string {
  if (typeof value === 'number') return decimalOfNumber(value);
  const decimal = parseDecimal(value);
  if (decimal === null) throw new Error(`${value} is not a decimal`);
  return decimal;
}

/** Compares a decimal (or number) with another exactly: negative, zero or positive. */
export function compareExact(a: number | string, b: number | string): number {
  return compareDecimal(asDecimal(a), asDecimal(b));
}

/** a − b, exactly. */
export function subtractDecimal(a: string, b: string): string {
  const scale = Math.max(decimalPlaces(a), decimalPlaces(b));
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}

/** a × b, exactly. */
export function multiplyDecimal(a: string, b: string): string {
  return fromScaled(toScaled(a, decimalPlaces(a)) * toScaled(b, decimalPlaces(b)), decimalPlaces(a) + decimalPlaces(b));
}

/** A count of 10^-scale units as a canonical decimal. */
export function fromScaled(units: bigint, scale: number): string {
  return divideRounded(units, 1n, scale, scale);
}

/** numerator / denominator (both in the same units) cut to `digits` places towards zero: a bound never overstated. */
export function divideTruncated(numerator: bigint, denominator: bigint, digits: number): string {
  if (denominator <= 0n) throw new Error('denominator must be positive');
  const scaled = (numerator * 10n ** BigInt(digits)) / denominator;
  return fromScaled(scaled, digits);
}
