import type { Kysely } from 'kysely';
import { hourlyReadingsWithSource } from '../db/repositories/day-readings.repository.ts';
import type { Database } from '../db/schema.ts';
import { originLabels, originOfKind } from '../lib/data-origin.ts';
import { DAY_MS, formatBeijing } from '../lib/time.ts';
import { endOfNaturalDay } from '../standards/natural-day.ts';

/**
 * Every hourly reading of a natural day as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names). The
 * `origin` column says 模拟数据 / 回放数据 for a reading from a demonstration source (empty for measured data), so a
 * saved or forwarded file keeps its label.
 */
export async function dayReadingsCsv(db: Kysely<Database>, date: string): Promise<string> {
  const end = endOfNaturalDay(date);
  const rows = await hourlyReadingsWithSource(db, new Date(end.getTime() - DAY_MS), end);
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const origin = (kind: string | null) => {
    const o = originOfKind(kind);
    return o ? originLabels[o].zh : '';
  };
  const lines = ['site,name,parameter,time_beijing,value,unit,flag,origin', ...rows.map((r) => [r.site, r.name, r.parameter, formatBeijing(r.observed_at), r.value, r.unit, r.flag, origin(r.sourceKind)].map(quote).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
