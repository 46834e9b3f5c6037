import { hourlyValues } from '../../db/repositories/series.repository.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { dailyAqiOf, hourlyAqiSeries, naturalDays, seriesBySite, windowStatistics, type StatsWindow } from '../../standards/air-series.ts';
import { pollutants, type AqiResult } from '../../standards/aqi.ts';
import { endOfNaturalDay } from '../../standards/natural-day.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

const windows: readonly StatsWindow[] = ['1h', '8h', '24h', 'day', 'month', 'year'];
/** Hours before the first window end that its statistic needs (the longest is a year of daily values). */
const lookback: Record<StatsWindow, number> = { '1h': 0, '8h': 7, '24h': 23, day: 24, month: 31 * 24, year: 366 * 24 };

function sitesAndRange(values: Record<string, string | boolean | undefined>): { sites: string[]; from: Date; to: Date } {
  const sites = String(values.site ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (sites.length === 0) throw new UsageError('--site CODE[,CODE…] is required');
  const from = new Date(String(values.from));
  const to = new Date(String(values.to));
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) throw new UsageError('--from and --to must be ISO times with --from before --to');
  return { sites, from, to };
}

function aqiView(site: string, time: string, r: AqiResult) {
  return {
    site,
    time,
    aqi: r.aqi,
    category: r.category?.nameZh ?? null,
    primaryPollutants: r.primaryPollutants,
    iaqi: r.iaqi,
    standard: r.standard,
  };
}

/** Beijing wall-clock time with its offset, e.g. 2016-03-01T10:00:00+08:00. */
function beijingIso(instant: Date): string {
  return new Date(instant.getTime() + 8 * HOUR_MS).toISOString().slice(0, 19) + '+08:00';
}

export const aqiCommand: Command = {
  path: ['aqi'],
  summary: 'hourly or daily AQI of sites by HJ 633 (the edition in force at the time)',
  usage: 'envmon aqi --site CODE[,CODE…] --from ISO --to ISO [--daily] [--json]',
  options: { site: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, daily: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) => {
    const { sites, from, to } = sitesAndRange(values);
    return withDatabase(context, async ({ db }) => {
      const daily = values.daily === true;
      // A day needs all of its hours: read from the start of the first day.
      const days = daily ? naturalDays(from, to) : [];
      const readFrom = daily && days[0] ? new Date(endOfNaturalDay(days[0]).getTime() - 24 * HOUR_MS) : from;
      const series = seriesBySite(await hourlyValues(db, sites, pollutants, readFrom, to));
      const rows = sites.flatMap((site) => {
        const s = series.get(site) ?? new Map<string, Map<number, string>>();
        if (daily) return days.map((day) => aqiView(site, day, dailyAqiOf(s, day)));
        const ends: number[] = [];
        for (let t = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS; t <= to.getTime(); t += HOUR_MS) ends.push(t);
        return hourlyAqiSeries(s, ends).map(({ time, result }) => aqiView(site, beijingIso(time), result));
      });
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.site}  ${r.time}  AQI ${r.aqi ?? 'NA'}  ${r.category ?? ''}  ${r.primaryPollutants.join(',')}  (${r.standard})`);
      return 0;
    });
  },
};

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'window statistics of a parameter (GB 3095 validity rules, GB/T 8170 rounding)',
  usage: `envmon stats --site CODE[,CODE…] --parameter P --window ${windows.join('|')} --from ISO --to ISO [--json]`,
  options: { site: { type: 'string' }, parameter: { type: 'string' }, window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) => {
    const { sites, from, to } = sitesAndRange(values);
    const parameter = String(values.parameter ?? '');
    if (!parameter) throw new UsageError('--parameter is required');
    const window = String(values.window) as StatsWindow;
    if (!windows.includes(window)) throw new UsageError(`--window must be one of ${windows.join(', ')}`);
    return withDatabase(context, async ({ db }) => {
      const series = seriesBySite(await hourlyValues(db, sites, [parameter], new Date(from.getTime() - lookback[window] * HOUR_MS), to));
      const rows = sites.flatMap((site) =>
        windowStatistics(series.get(site) ?? new Map<string, Map<number, string>>(), parameter, window, from, to).map((w) => ({ site, parameter, time: beijingIso(w.time), value: w.value, validCount: w.validCount, valid: w.valid })),
      );
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.site}  ${r.time}  ${r.value ?? 'NA'}  (${r.validCount} values${r.valid ? '' : ', not valid'})`);
      return 0;
    });
  },
};
