/** Times typed by people: Beijing time unless a zone is given, impossible dates refused, 24:00 ends a day. */
import { describe, expect, it } from 'vitest';
import { parseTimeInput } from '../../lib/time-input.ts';

const instant = (text: string) => {
  const parsed = parseTimeInput(text);
  return 'error' in parsed ? parsed.error : parsed.instant.toISOString();
};

describe('parseTimeInput', () => {
  it('reads a time without a zone as Beijing time (UTC+8), and honours Z and offsets', () => {
    expect(instant('2026-11-01T08:00')).toBe('2026-11-01T00:00:00.000Z');
    expect(instant('2026-11-01 08:00:30')).toBe('2026-11-01T00:00:30.000Z');
    expect(instant('2026-11-01T08:00Z')).toBe('2026-11-01T08:00:00.000Z');
    expect(instant('2026-11-01T08:00+05:30')).toBe('2026-11-01T02:30:00.000Z');
    expect(instant('2026-11-01T08:00-0300')).toBe('2026-11-01T11:00:00.000Z');
  });

  it('reads a date alone as the start of its day in Beijing, and says it was a date', () => {
    expect(parseTimeInput('2026-11-01')).toEqual({ instant: new Date('2026-10-31T16:00:00.000Z'), date: '2026-11-01' });
  });

  it('takes 24:00 as the end of the day and nothing later', () => {
    expect(instant('2026-11-01T24:00')).toBe('2026-11-01T16:00:00.000Z');
    expect(instant('2026-11-01T24:01')).toBe('no such time (hours run 00–23, and 24:00 ends a day)');
    expect(instant('2026-11-01T25:00')).toBe('no such time (hours run 00–23, and 24:00 ends a day)');
  });

  it('refuses dates that do not exist, leap years included', () => {
    expect(instant('2026-11-31')).toBe('no such date (November has 30 days)');
    expect(instant('2026-02-29')).toBe('no such date (February 2026 has 28 days)');
    expect(instant('2028-02-29T12:00')).toBe('2028-02-29T04:00:00.000Z');
    expect(instant('2100-02-29')).toBe('no such date (February 2100 has 28 days)');
    expect(instant('2026-13-01')).toBe('no such date (months run 01–12)');
    expect(instant('2026-11-01T10:00+15:00')).toBe('no such time zone offset "+15:00"');
  });
});
