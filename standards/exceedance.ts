/** How far a value is over its limit, as HJ 663 reports it. */
import { compareDecimal, decimalPlaces, divideRounded, parseDecimal, toScaled } from '../lib/decimal.ts';

/**
 * 超标倍数 (HJ 663-2013 §5.3): (C − S) / S, to two decimals by GB/T 8170 on the exact decimals; null when the
 * value does not exceed the limit.
 */
export function exceedanceMultiple(value: string, limit: string): string | null {
  const v = parseDecimal(value);
  const l = parseDecimal(limit);
  if (v === null || l === null || compareDecimal(l, '0') <= 0) return null;
  const scale = Math.max(decimalPlaces(v), decimalPlaces(l));
  const over = toScaled(v, scale) - toScaled(l, scale);
  if (over <= 0n) return null;
  return divideRounded(over, toScaled(l, scale), 0, 2);
}
