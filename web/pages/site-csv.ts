/**
 * /sites/:id/data.csv: exactly the series the site page charts — one row per parameter and hour with the valid
 * hourly value and the stored moving means ending at that hour — so a download never disagrees with the screen.
 */
import { originLabels } from '../../lib/data-origin.ts';
import { beijingIso } from '../../queries/air-queries.ts';
import type { SitePage } from '../../queries/site-query.ts';

export interface CsvRow {
  time: number;
  parameter: string;
  unit: string;
  hourly: string | null;
  mean8h: string | null;
  mean24h: string | null;
}

/** The chart's points as rows: parameters in page order, hours ascending; a row where any of the three has a point. */
export function siteCsvRows(page: SitePage): CsvRow[] {
  return page.series.flatMap((s) => {
    const hours = new Map<number, CsvRow>();
    const row = (t: number) => {
      let r = hours.get(t);
      if (!r) hours.set(t, (r = { time: t, parameter: s.parameter, unit: s.unit, hourly: null, mean8h: null, mean24h: null }));
      return r;
    };
    for (const [t, v] of s.hourly) row(t).hourly = v;
    for (const m of s.means) for (const [t, v] of m.points) if (v !== null) row(t)[m.window === '8h' ? 'mean8h' : 'mean24h'] = v;
    return [...hours.values()].sort((a, b) => a.time - b.time);
  });
}

function cell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function siteCsv(page: SitePage): string {
  const origin = page.origin ? originLabels[page.origin].zh : '';
  const lines = ['site,time,parameter,unit,hourly,mean_8h,mean_24h,origin'];
  for (const r of siteCsvRows(page)) {
    lines.push([page.site.code, beijingIso(new Date(r.time)), r.parameter, r.unit, r.hourly ?? '', r.mean8h ?? '', r.mean24h ?? '', origin].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
