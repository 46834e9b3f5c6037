/**
 * The national platform's real-time publishing format (CNEMC 全国城市空气质量实时发布平台): one row or object per
 * station and hour, with station metadata, as CSV or JSON.
 *
 * Only the measured hourly concentrations become readings: pm2_5, pm10, so2, no2 (μg/m³), co (mg/m³) and O3 —
 * which the format labels misleadingly: the hourly O3 is in `o3_24h`, while `o3` is the largest hourly value of
 * the last 24 h, `o3_8h_24h` the 8-hour sliding mean and `o3_8h` the day's largest 8-hour mean so far. The
 * platform's own sliding means, AQI and primary pollutant are derived values and are not stored; envmon derives
 * its own from the hourly readings.
 */
import { splitCsvLine } from '../lib/csv.ts';
import { isCleanText, legibleText } from '../lib/raw-text.ts';
import { BEIJING_OFFSET_MS, HOUR_MS, labelToIntervalEnd } from '../lib/time.ts';
import type { RawReading, SourceRecord } from './source-adapter.ts';

/** Column → parameter and unit of the hourly concentrations. */
const hourlyColumns: readonly { column: string; parameter: string; unit: string }[] = [
  { column: 'pm2_5', parameter: 'pm2_5', unit: 'μg/m³' },
  { column: 'pm10', parameter: 'pm10', unit: 'μg/m³' },
  { column: 'so2', parameter: 'so2', unit: 'μg/m³' },
  { column: 'no2', parameter: 'no2', unit: 'μg/m³' },
  { column: 'co', parameter: 'co', unit: 'mg/m³' },
  { column: 'o3_24h', parameter: 'o3', unit: 'μg/m³' },
];

/** Texts the platform uses for "no value". */
const MISSING = new Set(['', '—', '-', '--', 'NA', 'null']);

export type CnemcRow = Readonly<Record<string, string | number | null | undefined>>;

/** One station-hour as a source record; a row without station code or a valid time is a problem record. */
export function cnemcRecord(row: CnemcRow, raw: string): SourceRecord {
  const code = text(row.stationcode);
  if (!code) return { raw, readings: [], problem: 'no stationcode' };
  // The code becomes a site code (and may register a site): it must be text a database column can hold.
  if (!isCleanText(code)) return { raw, readings: [], problem: `stationcode "${legibleText(code)}" is not valid text` };
  const observedAt = parseTimepoint(text(row.timepoint));
  if (!observedAt) return { raw, readings: [], problem: `invalid timepoint "${text(row.timepoint)}"` };
  const readings: RawReading[] = [];
  for (const c of hourlyColumns) {
    const value = text(row[c.column]);
    if (!MISSING.has(value)) readings.push({ site: code, parameter: c.parameter, period: 'hour', observedAt, value, unit: c.unit });
  }
  const longitude = Number(text(row.longitude));
  const latitude = Number(text(row.latitude));
  return {
    raw,
    readings,
    site: {
      code,
      kind: 'air_station',
      nameZh: legibleText(text(row.positionname)) || code,
      area: legibleText(text(row.area)) || '(unknown)',
      ...(text(row.longitude) && Number.isFinite(longitude) ? { longitude } : {}),
      ...(text(row.latitude) && Number.isFinite(latitude) ? { latitude } : {}),
    },
  };
}

/** Parses CNEMC CSV lines (header first) into records. */
export function* cnemcCsvRecords(lines: Iterable<string>): Generator<SourceRecord> {
  let header: string[] | null = null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (!header) {
      header = splitCsvLine(line.replace(/^\uFEFF/, '').trim()) ?? [];
      if (!header.includes('stationcode') || !header.includes('timepoint')) throw new Error('not a CNEMC file: the header has no stationcode/timepoint columns');
      continue;
    }
    const cells = splitCsvLine(line);
    if (!cells || cells.length !== header.length) {
      yield { raw: line, readings: [], problem: cells ? `row has ${cells.length} cells, header has ${header.length}` : 'malformed CSV line' };
      continue;
    }
    const columns = header;
    yield cnemcRecord(Object.fromEntries(cells.map((c, i) => [columns[i] ?? '', c])), line);
  }
}

/** Parses the platform's JSON: an array of station objects, or an object holding such an array. */
export function* cnemcJsonRecords(json: unknown): Generator<SourceRecord> {
  const rows = Array.isArray(json) ? json : isObject(json) ? Object.values(json).find(Array.isArray) : undefined;
  if (!Array.isArray(rows)) throw new Error('not a CNEMC JSON document: no array of stations');
  for (const row of rows as unknown[]) {
    if (!isObject(row)) {
      yield { raw: JSON.stringify(row), readings: [], problem: 'not an object' };
      continue;
    }
    yield cnemcRecord(row as CnemcRow, JSON.stringify(row));
  }
}

/** `2022-03-07T12:00:00` or `2022-03-07 12:00:00`, hour-ending Beijing time, → interval end. */
function parseTimepoint(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  if (mi !== 0 || h > 24 || new Date(Date.UTC(y, mo - 1, d)).getUTCMonth() !== mo - 1 || d < 1) return null;
  return labelToIntervalEnd({ year: y, month: mo, day: d, hour: h }, BEIJING_OFFSET_MS, 'hour-ending', HOUR_MS);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
