/** Applies a declarative column mapping (`config/mappings/*.yaml`) to CSV rows. */
import type { CsvMapping } from '../config/schema.ts';
import { splitCsvLine } from '../lib/csv.ts';
import { isCleanText } from '../lib/raw-text.ts';
import { HOUR_MS, labelToIntervalEnd } from '../lib/time.ts';
import type { RawReading, SourceRecord } from './source-adapter.ts';

export interface CsvRowMapper {
  map(line: string): SourceRecord;
}

/** Builds a mapper for files with the given header line; throws when a mapped column is absent. */
export function createCsvRowMapper(header: string, mapping: CsvMapping): CsvRowMapper {
  const columns = splitCsvLine(header.replace(/^\uFEFF/, ''));
  if (!columns) throw new Error('the header line is not valid CSV');
  const index = (name: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`column "${name}" named by the mapping is not in the header`);
    return i;
  };
  const siteAt = index(mapping.site.column);
  const register = mapping.site.register;
  const nameAt = register?.nameColumn === undefined ? null : index(register.nameColumn);
  const t = mapping.time.columns;
  const timeAt = { year: index(t.year), month: index(t.month), day: index(t.day), hour: index(t.hour) };
  const values = mapping.values.map((v) => ({ ...v, at: index(v.column) }));
  const missing = new Set(mapping.missing);
  const offsetMs = mapping.time.utcOffsetHours * HOUR_MS;

  return {
    map(line: string): SourceRecord {
      const cells = splitCsvLine(line);
      if (!cells) return { raw: line, readings: [], problem: 'malformed CSV line (unterminated quote)' };
      if (cells.length !== columns.length) {
        return { raw: line, readings: [], problem: `row has ${cells.length} cells, header has ${columns.length}` };
      }
      const site = cells[siteAt]?.trim() ?? '';
      if (!site) return { raw: line, readings: [], problem: `empty site column "${mapping.site.column}"` };
      const parts = {
        year: Number(cells[timeAt.year]),
        month: Number(cells[timeAt.month]),
        day: Number(cells[timeAt.day]),
        hour: Number(cells[timeAt.hour]),
      };
      if (!validTimeParts(parts)) return { raw: line, readings: [], problem: 'invalid date or hour' };
      const observedAt = labelToIntervalEnd(parts, offsetMs, mapping.time.label, HOUR_MS);
      const readings: RawReading[] = [];
      for (const v of values) {
        const text = cells[v.at]?.trim() ?? '';
        if (missing.has(text)) continue;
        readings.push({ site, parameter: v.parameter, period: mapping.period, observedAt, value: text, unit: v.unit });
      }
      if (!register) return { raw: line, readings };
      // The station as a site to register (used only when the import asks for it).
      const name = nameAt === null ? '' : (cells[nameAt]?.trim() ?? '');
      return { raw: line, readings, site: { code: site, kind: register.kind, nameZh: isCleanText(name) && name !== '' ? name : site, area: register.area } };
    },
  };
}

function validTimeParts(p: { year: number; month: number; day: number; hour: number }): boolean {
  if (![p.year, p.month, p.day, p.hour].every(Number.isInteger)) return false;
  if (p.month < 1 || p.month > 12 || p.hour < 0 || p.hour > 24) return false;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return p.day >= 1 && p.day <= daysInMonth;
}
