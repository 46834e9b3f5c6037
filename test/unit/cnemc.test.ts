import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../lib/csv.ts';
import { cnemcCsvRecords, cnemcJsonRecords } from '../../sources/cnemc.ts';

const sample = path.resolve(import.meta.dirname, '../fixtures/cnemc/2022-03-07T12-north.csv');
const lines = readFileSync(sample, 'utf8').trim().split(/\r?\n/);

describe('CNEMC real-time format', () => {
  const records = [...cnemcCsvRecords(lines)];

  it('reads every station of the sample with its metadata', () => {
    expect(records).toHaveLength(88);
    expect(records.every((r) => !r.problem)).toBe(true);
    expect(records[0]?.site).toEqual({ code: '1001A', kind: 'air_station', nameZh: '万寿西宫', area: '北京市', longitude: 116.3621, latitude: 39.8784 });
  });

  it('takes the hourly O3 from the column the platform labels o3_24h', () => {
    // 1001A: o3 = 92 (24-h max of hourly values), o3_24h = 62 (this hour), o3_8h_24h = 21 (8-h mean).
    const readings = Object.fromEntries((records[0]?.readings ?? []).map((r) => [r.parameter, r.value]));
    expect(readings).toEqual({ pm2_5: '16', pm10: '33', so2: '3', no2: '13', co: '0.3', o3: '62' });
  });

  it('labels 12:00 Beijing time as the interval ending 04:00 UTC', () => {
    expect(records[0]?.readings[0]?.observedAt.toISOString()).toBe('2022-03-07T04:00:00.000Z');
  });

  it('skips empty cells instead of storing zeros', () => {
    const header = splitCsvLine(lines[0] ?? '') ?? [];
    const cellsOf = (line: string): Record<string, string> => Object.fromEntries((splitCsvLine(line) ?? []).map((c, i) => [header[i] ?? '', c]));
    const expected = lines.slice(1).reduce((n, line) => {
      const cells = cellsOf(line);
      return n + ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3_24h'].filter((c) => cells[c] !== '').length;
    }, 0);
    expect(expected).toBeLessThan(88 * 6);
    expect(records.reduce((n, r) => n + r.readings.length, 0)).toBe(expected);
  });

  it('reads the same stations from the JSON form of the feed', () => {
    const header = splitCsvLine(lines[0] ?? '') ?? [];
    const objects = lines.slice(1).map((line): Record<string, string> => Object.fromEntries((splitCsvLine(line) ?? []).map((c, i) => [header[i] ?? '', c])));
    const fromJson = [...cnemcJsonRecords({ data: objects })];
    expect(fromJson).toHaveLength(88);
    expect(Object.fromEntries((fromJson[0]?.readings ?? []).map((r) => [r.parameter, r.value]))).toEqual({ pm2_5: '16', pm10: '33', so2: '3', no2: '13', co: '0.3', o3: '62' });
    expect(fromJson.map((r) => r.readings)).toEqual(records.map((r) => r.readings));
  });

  it('turns bad rows into problem records and keeps going', () => {
    const bad = [...cnemcCsvRecords([lines[0] ?? '', '2022-03-07T12:00:00,1001A,1', '2022-02-30T12:00:00' + (lines[1] ?? '').slice(19), lines[2] ?? ''])];
    expect(bad.map((r) => r.problem)).toEqual(['row has 3 cells, header has 22', 'invalid timepoint "2022-02-30T12:00:00"', undefined]);
  });

  it('refuses a file that is not in the format', () => {
    expect(() => [...cnemcCsvRecords(['a,b,c', '1,2,3'])]).toThrow('not a CNEMC file');
  });
});
