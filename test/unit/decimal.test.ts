import { describe, expect, it } from 'vitest';
import { compareDecimal, divideRounded, parseDecimal, roundHalfEven, shiftDecimal } from '../../lib/decimal.ts';

describe('parseDecimal', () => {
  it('canonicalises plain decimals', () => {
    expect(parseDecimal('012')).toBe('12');
    expect(parseDecimal('-0.50')).toBe('-0.5');
    expect(parseDecimal('.5')).toBe('0.5');
    expect(parseDecimal('1.0')).toBe('1');
    expect(parseDecimal('-0')).toBe('0');
    expect(parseDecimal(' 7 ')).toBe('7');
  });
  it('refuses what is not a plain decimal', () => {
    for (const text of ['', 'NA', '1e3', '1,5', '--1', '.', '0x10', '1.2.3']) expect(parseDecimal(text), text).toBeNull();
  });
});

describe('shiftDecimal', () => {
  it('rescales exactly by powers of ten', () => {
    expect(shiftDecimal('300', -3)).toBe('0.3');
    expect(shiftDecimal('8100', -3)).toBe('8.1');
    expect(shiftDecimal('5', -3)).toBe('0.005');
    expect(shiftDecimal('0.65', 3)).toBe('650');
    expect(shiftDecimal('-1.25', -1)).toBe('-0.125');
    expect(shiftDecimal('1.5', 0)).toBe('1.5');
  });
  it('keeps digits a binary float would lose', () => {
    // 0.1 + 0.2 style artefacts must not appear: 1234567.891 μg/m³ is exactly 1234.567891 mg/m³.
    expect(shiftDecimal('1234567.891', -3)).toBe('1234.567891');
  });
});

describe('compareDecimal', () => {
  it('orders by value, not by text', () => {
    expect(compareDecimal('10', '9')).toBeGreaterThan(0);
    expect(compareDecimal('-10', '-9')).toBeLessThan(0);
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(compareDecimal('0.2', '0.15')).toBeGreaterThan(0);
    expect(compareDecimal('-0.1', '0')).toBeLessThan(0);
  });
});

describe('roundHalfEven (GB/T 8170)', () => {
  it('rounds exact halves to the even neighbour, on the decimal digits', () => {
    expect(roundHalfEven('2.5', 0)).toBe('2');
    expect(roundHalfEven('3.5', 0)).toBe('4');
    expect(roundHalfEven('0.65', 1)).toBe('0.6');
    expect(roundHalfEven('0.75', 1)).toBe('0.8');
    expect(roundHalfEven('0.651', 1)).toBe('0.7');
    expect(roundHalfEven('0.649', 1)).toBe('0.6');
    expect(roundHalfEven('99.96', 1)).toBe('100');
    expect(roundHalfEven('-2.5', 0)).toBe('-2');
    expect(roundHalfEven('-0.4', 0)).toBe('0');
    expect(roundHalfEven('12', 1)).toBe('12');
  });

  it('rounds an exact quotient the same way (means, 超标倍数), without forming the decimal first', () => {
    // 5 / 2 = 2.5 → 2; 7 / 2 = 3.5 → 4; 151 / 2 = 75.5 → 76; 149 / 2 = 74.5 → 74; −5 / 2 = −2.5 → −2.
    expect([5n, 7n, 151n, 149n, -5n].map((n) => divideRounded(n, 2n, 0, 0))).toEqual(['2', '4', '76', '74', '-2']);
    // 1.125 (1125 thousandths) / 1 to two places: an exact half, 0.005 above 1.12 → 1.12; 1.135 → 1.14.
    expect(divideRounded(1125n, 1n, 3, 2)).toBe('1.12');
    expect(divideRounded(1135n, 1n, 3, 2)).toBe('1.14');
    // 200 / 3 = 66.666… → 66.7; 1 / 3 = 0.333… → 0.33; 2 / 3 = 0.666… → 0.67; 1 / 8 = 0.125 → 0.12.
    expect([divideRounded(200n, 3n, 0, 1), divideRounded(1n, 3n, 0, 2), divideRounded(2n, 3n, 0, 2), divideRounded(1n, 8n, 0, 2)]).toEqual(['66.7', '0.33', '0.67', '0.12']);
    // 0.6 + 0.7 = 1.3 (13 tenths) over 2 values: 0.65 → 0.6.
    expect(divideRounded(13n, 2n, 1, 1)).toBe('0.6');
  });

  it('differs from Math.round and toFixed where binary floats get it wrong', () => {
    // 1.015 is stored as 1.01499999999999990…, so toFixed rounds it down; the exact decimal is a half with an odd
    // neighbour, so GB/T 8170 rounds it up.
    expect((1.015).toFixed(2)).toBe('1.01');
    expect(roundHalfEven('1.015', 2)).toBe('1.02');
    expect(Math.round(2.5)).toBe(3);
    expect(roundHalfEven('2.5', 0)).toBe('2');
  });
});
