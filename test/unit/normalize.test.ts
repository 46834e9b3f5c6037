import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../ingest/normalize.ts';
import { convertUnit } from '../../ingest/units.ts';
import type { RawReading } from '../../sources/source-adapter.ts';

const now = new Date('2026-11-22T12:00:00Z');
const at = new Date('2026-11-22T11:00:00Z');
const reading = (over: Partial<RawReading>): RawReading => ({ site: 'Dongsi', parameter: 'pm2_5', period: 'hour', observedAt: at, value: '35', unit: 'μg/m³', ...over });
const normalize = (...readings: RawReading[]) => normalizeRecord({ raw: 'raw line', readings }, { now, futureToleranceMs: 600_000 });

describe('normalizeRecord', () => {
  it('converts CO from μg/m³ to the canonical mg/m³ exactly', () => {
    const { readings, rejections } = normalize(reading({ parameter: 'co', value: '1200', unit: 'ug/m3' }));
    expect(rejections).toEqual([]);
    expect(readings).toEqual([{ site: 'Dongsi', parameter: 'co', period: 'hour', observedAt: at.toISOString(), value: '1.2', unit: 'mg/m³', flag: 'N' }]);
  });

  it('rejects the bad readings of a record and keeps the good ones', () => {
    const { readings, rejections } = normalize(
      reading({ value: '-3' }),
      reading({ parameter: 'no2', value: '41' }),
      reading({ parameter: 'so2', value: '-9999' }),
      reading({ parameter: 'o3', value: 'abc' }),
      reading({ parameter: 'co', unit: 'ppm', value: '1' }),
      reading({ parameter: 'benzene' }),
      reading({ parameter: 'ph', value: '14.5', unit: '' }),
      reading({ parameter: 'pm10', observedAt: new Date(now.getTime() + 3_600_000) }),
    );
    expect(readings.map((r) => r.parameter)).toEqual(['no2']);
    expect(rejections.map((r) => r.reason)).toEqual([
      'pm2_5: -3 μg/m³ is outside the plausible range 0–2000',
      'so2: -9999 is a no-data marker',
      'o3: "abc" is not a number',
      'co: unit "ppm" cannot be converted to mg/m³',
      'unknown parameter "benzene"',
      'ph: 14.5 pH is outside the plausible range 0–14',
      'time 2026-11-22T13:00:00.000Z is in the future',
    ]);
    expect(rejections.map((r) => r.code)).toEqual(['out_of_range', 'no_data_marker', 'not_a_number', 'unknown_unit', 'unknown_parameter', 'out_of_range', 'future_time']);
    expect(rejections.every((r) => r.raw === 'raw line')).toBe(true);
  });

  it('accepts the edges: a zero concentration, and a time within the clock tolerance (10 minutes here) ahead of now', () => {
    const { readings, rejections } = normalize(reading({ value: '0' }), reading({ parameter: 'pm10', observedAt: new Date(now.getTime() + 600_000) }));
    expect(rejections).toEqual([]);
    expect(readings.map((r) => [r.parameter, r.value, r.observedAt])).toEqual([['pm2_5', '0', at.toISOString()], ['pm10', '35', '2026-11-22T12:10:00.000Z']]);
  });

  it('rejects a record the source could not read, keeping its raw text', () => {
    const result = normalizeRecord({ raw: 'a,"b', readings: [], problem: 'malformed CSV line' }, { now, futureToleranceMs: 0 });
    expect(result).toEqual({ readings: [], rejections: [{ code: 'malformed', reason: 'malformed CSV line', raw: 'a,"b' }] });
  });
});

describe('dissolved oxygen', () => {
  it('is refused beyond twice saturation at the water temperature reported with it', () => {
    // Saturation at 25 °C ≈ 468 / 56.6 = 8.27 mg/L; 18 mg/L is beyond twice that, 12 is not.
    const at25 = (value: string) => [reading({ site: 'WL', parameter: 'water_temp', value: '25', unit: '°C' }), reading({ site: 'WL', parameter: 'do', value, unit: 'mg/L' })];
    expect(normalize(...at25('12')).readings.map((r) => r.parameter)).toEqual(['water_temp', 'do']);
    const { readings, rejections } = normalize(...at25('18'));
    expect(readings.map((r) => r.parameter)).toEqual(['water_temp']);
    expect(rejections.map((r) => r.reason)).toEqual(['do: 18 mg/L is more than twice saturation at 25 °C (16.5 mg/L)']);
  });
});

describe('convertUnit', () => {
  it('refuses conversions between air and water concentrations', () => {
    expect(convertUnit('1', 'mg/m³', 'mg/L')).toBeNull();
    expect(convertUnit('250', 'μg/L', 'mg/L')).toBe('0.25');
  });
});
