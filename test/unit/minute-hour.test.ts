import { describe, expect, it } from 'vitest';
import { deriveHour, minuteSlot, MINUTES_FOR_VALID_HOUR } from '../../ingest/minute-hour.ts';

const minutes = (n: number, value: string, flag = 'N') => Array.from({ length: n }, () => ({ minutes: 1, value, flag }));

describe('hourly value from minute data (GB 3095-2012 Table 4: at least 45 minutes per hour)', () => {
  it('the rule is 45 minutes', () => {
    expect(MINUTES_FOR_VALID_HOUR).toBe(45);
  });

  it('44 minutes is not a valid hour: no value, flag N (the minutes were normal, too few)', () => {
    expect(deriveHour(minutes(44, '30'), 0)).toEqual({ valid: false, value: null, flag: 'N', validMinutes: 44, minuteRows: 44 });
  });

  it('45 minutes is a valid hour', () => {
    expect(deriveHour(minutes(45, '30'), 0)).toEqual({ valid: true, value: '30', flag: 'N', validMinutes: 45, minuteRows: 45 });
  });

  it('the mean is exact and rounds half to even (GB/T 8170)', () => {
    // 30 × 34 + 15 × 35 = 1020 + 525 = 1545; 1545 / 45 = 34.333… → 34
    expect(deriveHour([...minutes(30, '34'), ...minutes(15, '35')], 0).value).toBe('34');
    // 0.1 and 0.2 as binary floats do not add up to 0.3; exactly: 23 × 0.1 + 23 × 0.2 = 6.9; 6.9 / 46 = 0.15 → 0.2 (1 is odd)
    expect(deriveHour([...minutes(23, '0.1'), ...minutes(23, '0.2')], 1).value).toBe('0.2');
    // 23 × 0.2 + 23 × 0.3 = 11.5; 11.5 / 46 = 0.25 exactly → 0.2 (2 is even)
    expect(deriveHour([...minutes(23, '0.2'), ...minutes(23, '0.3')], 1).value).toBe('0.2');
    // 45 × 12.5 / 45 = 12.5 → 12 (to whole units, 2 is even); 45 × 13.5 → 14
    expect(deriveHour(minutes(45, '12.5'), 0).value).toBe('12');
    expect(deriveHour(minutes(45, '13.5'), 0).value).toBe('14');
  });

  it('only N minutes count and enter the mean; others make a mixed hour short', () => {
    // 44 N + 16 C: 44 valid minutes < 45 → no value; the flag of the other minutes is C
    expect(deriveHour([...minutes(44, '20'), ...minutes(16, '999', 'C')], 0)).toEqual({ valid: false, value: null, flag: 'C', validMinutes: 44, minuteRows: 60 });
    // 50 N at 20 + 10 M at 999: valid, mean of the N minutes only = 20
    expect(deriveHour([...minutes(50, '20'), ...minutes(10, '999', 'M')], 0)).toEqual({ valid: true, value: '20', flag: 'N', validMinutes: 50, minuteRows: 60 });
  });

  it('an invalid hour carries the flag covering most of its minutes; ties alphabetical', () => {
    expect(deriveHour([...minutes(10, '1'), ...minutes(20, '1', 'M'), ...minutes(30, '1', 'D')], 0).flag).toBe('D');
    expect(deriveHour([...minutes(20, '1', 'M'), ...minutes(20, '1', 'C')], 0).flag).toBe('C');
  });

  it('ten-minute values (CN 2051) count ten minutes each and weigh by their minutes', () => {
    // 4 values × 10 min = 40 < 45
    expect(deriveHour(Array.from({ length: 4 }, () => ({ minutes: 10, value: '8', flag: 'N' })), 0).valid).toBe(false);
    // 5 × 10 = 50 ≥ 45; mean (10 + 20 + 30 + 40 + 50) × 10 / 50 = 30
    const five = ['10', '20', '30', '40', '50'].map((value) => ({ minutes: 10, value, flag: 'N' }));
    expect(deriveHour(five, 0)).toEqual({ valid: true, value: '30', flag: 'N', validMinutes: 50, minuteRows: 5 });
  });

  it('no minutes at all: not valid', () => {
    expect(deriveHour([], 0)).toEqual({ valid: false, value: null, flag: 'N', validMinutes: 0, minuteRows: 0 });
  });
});

describe('which hour a minute belongs to (hour-ending, the 10:00 value covers 09:00–10:00 Beijing time)', () => {
  // 09:00 Beijing = 01:00Z; 10:00 Beijing = 02:00Z.
  it('a real-time sample (interval 0) stands for the minute it was taken in', () => {
    expect(minuteSlot('2026-12-01T01:00:00.000Z', 0)).toEqual({ start: new Date('2026-12-01T01:00:00Z'), minutes: 1, hourEnd: new Date('2026-12-01T02:00:00Z') });
    expect(minuteSlot('2026-12-01T01:59:30.000Z', 0).hourEnd).toEqual(new Date('2026-12-01T02:00:00Z'));
    expect(minuteSlot('2026-12-01T02:00:00.000Z', 0).hourEnd).toEqual(new Date('2026-12-01T03:00:00Z'));
  });

  it('a minute value ending at the hour (CN 2051, DataTime 09:59) belongs to the hour ending then', () => {
    expect(minuteSlot('2026-12-01T02:00:00.000Z', 1)).toEqual({ start: new Date('2026-12-01T01:59:00Z'), minutes: 1, hourEnd: new Date('2026-12-01T02:00:00Z') });
    expect(minuteSlot('2026-12-01T02:00:00.000Z', 10)).toEqual({ start: new Date('2026-12-01T01:50:00Z'), minutes: 10, hourEnd: new Date('2026-12-01T02:00:00Z') });
  });
});
