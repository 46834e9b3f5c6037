/**
 * Exact decimal values as canonical strings.
 *
 * Monitoring values are published as decimals ("0.65", "1.0"); binary floats cannot hold most of them exactly,
 * and the standards round on the exact decimal value (GB/T 8170). envmon therefore carries values as decimal
 * strings from parsing to storage (PostgreSQL `numeric`).
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
/** Text that is already canonical: no sign, no leading or trailing zeros. The common case, checked first. */
const CANONICAL_POSITIVE = /^(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** Parses a plain decimal ("12", "-0.50", ".5") into canonical form ("12", "-0.5", "0.5"); null if it is not one. */
export function parseDecimal(text: string): string | null {
  if (CANONICAL_POSITIVE.test(text)) return text;
  const trimmed = text.trim();
  const m = DECIMAL.exec(trimmed);
  if (!m) return null;
  const [, sign = '', intPart = '', fracPart = ''] = m;
  if (intPart === '' && fracPart === '') return null;
  return canonical(sign === '-', intPart, fracPart);
}

/** Multiplies a canonical decimal by 10^exponent exactly (unit conversion such as μg/m³ → mg/m³ is exponent −3). */
export function shiftDecimal(value: string, exponent: number): string {
  const negative = value.startsWith('-');
  const unsigned = negative ? value.slice(1) : value;
  const [intPart = '', fracPart = ''] = unsigned.split('.');
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  if (point <= 0) return canonical(negative, '0', '0'.repeat(-point) + digits);
  if (point >= digits.length) return canonical(negative, digits + '0'.repeat(point - digits.length), '');
  return canonical(negative, digits.slice(0, point), digits.slice(point));
}

/** Compares two canonical decimals: negative, zero or positive like a sort comparator. */
export function compareDecimal(a: string, b: string): number {
  const na = a.startsWith('-');
  const nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const magnitude = compareMagnitude(na ? a.slice(1) : a, nb ? b.slice(1) : b);
  return na ? -magnitude : magnitude;
}

function compareMagnitude(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const pa = af.padEnd(width, '0');
  const pb = bf.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

function canonical(negative: boolean, intPart: string, fracPart: string): string {
  const int = intPart.replace(/^0+(?=\d)/, '') || '0';
  const frac = fracPart.replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

/**
 * Rounds a canonical decimal to `digits` decimal places by GB/T 8170-2008 (数值修约规则): below half down, above
 * half up, exactly half to the even neighbour ("四舍六入五成双") — decided on the exact decimal digits, never on
 * a binary float: 2.5 → 2, 3.5 → 4, 0.65 → 0.6 (to one place), 0.651 → 0.7.
 */
export function roundHalfEven(value: string, digits: number): string {
  const negative = value.startsWith('-');
  const unsigned = negative ? value.slice(1) : value;
  const [intPart = '0', fracPart = ''] = unsigned.split('.');
  if (fracPart.length <= digits) return value;
  const kept = intPart + fracPart.slice(0, digits);
  const first = fracPart.charCodeAt(digits) - 48;
  const rest = fracPart.slice(digits + 1);
  const lastKept = kept.charCodeAt(kept.length - 1) - 48;
  const up = first > 5 || (first === 5 && (/[1-9]/.test(rest) || lastKept % 2 === 1));
  const digitsText = up ? incrementDigits(kept) : kept;
  // The point stays `digits` from the right: incrementing may add a leading digit (99.96 → 100.0).
  const intLength = digitsText.length - digits;
  return canonical(negative, digitsText.slice(0, intLength), digitsText.slice(intLength));
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

/** A decimal as an integer count of 10^-scale units (exact). */
export function toScaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [intPart = '0', fracPart = ''] = (negative ? value.slice(1) : value).split('.');
  if (fracPart.length > scale) throw new Error(`${value} has more than ${scale} decimal places`);
  const n = BigInt(intPart + fracPart.padEnd(scale, '0'));
  return negative ? -n : n;
}

/** Decimal places of a canonical decimal. */
export function decimalPlaces(value: string): number {
  const point = value.indexOf('.');
  return point < 0 ? 0 : value.length - point - 1;
}

/**
 * numerator / denominator (numerator counted in 10^-scale units), rounded by GB/T 8170 to `digits` places —
 * exactly, so a mean that is exactly half a unit rounds to even.
 */
export function divideRounded(numerator: bigint, denominator: bigint, scale: number, digits: number): string {
  if (denominator <= 0n) throw new Error('denominator must be positive');
  const negative = numerator < 0n;
  const n = (negative ? -numerator : numerator) * 10n ** BigInt(digits);
  const d = denominator * 10n ** BigInt(scale);
  let q = n / d;
  const twice = 2n * (n - q * d);
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  const text = q.toString().padStart(digits + 1, '0');
  const intPart = text.slice(0, text.length - digits);
  const fracPart = digits > 0 ? text.slice(text.length - digits) : '';
  return canonical(negative, intPart, fracPart);
}
