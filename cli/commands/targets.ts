import { hourlyValues } from '../../db/repositories/series.repository.ts';
import { BEIJING_OFFSET_MS, HOUR_MS } from '../../lib/time.ts';
import { dailyAqiOf, dayHours, naturalDays, seriesBySite } from '../../standards/air-series.ts';
import { dailyMean, exactMean } from '../../standards/air-statistics.ts';
import { pollutants } from '../../standards/aqi.ts';
import { endOfNaturalDay } from '../../standards/natural-day.ts';
import { airTargetProgress, waterTargetProgress } from '../../standards/target-progress.ts';
import { isClassified, sectionClass } from '../../standards/water-class.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

const waterParameters = ['ph', 'do', 'codmn', 'cod', 'bod5', 'nh3_n', 'tp'];

export const targetsCommand: Command = {
  path: ['targets'],
  summary: 'plan targets with year-to-date progress and what the rest of the year needs',
  usage: 'envmon targets [--year YYYY] [--as-of YYYY-MM-DD] [--all] [--json]',
  options: { year: { type: 'string' }, 'as-of': { type: 'string' }, all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) => {
    const today = new Date(Date.now() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
    const year = values.year === undefined ? Number(today.slice(0, 4)) : Number(values.year);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UsageError('--year must be a year such as 2025');
    const asOf = typeof values['as-of'] === 'string' ? values['as-of'] : `${year}` === today.slice(0, 4) ? today : `${year}-12-31`;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !asOf.startsWith(String(year))) throw new UsageError('--as-of must be a date (YYYY-MM-DD) in the year');
    const targets = context.config.targets.filter((t) => values.all === true || (Number(t.validFrom.slice(0, 4)) <= year && year <= Number(t.validTo.slice(0, 4))));
    const from = new Date(endOfNaturalDay(`${year - 1}-12-31`).getTime());
    const to = endOfNaturalDay(asOf);
    const daysInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000;

    return withDatabase(context, async ({ db }) => {
      const rows = [];
      for (const t of targets) {
        const site = 'site' in t.scope ? t.scope.site : null;
        const rule = { indicator: t.indicator, comparator: t.target.comparator, ...(t.target.value === undefined ? {} : { value: t.target.value }), ...(t.baseline ? { baseline: t.baseline.value } : {}) };
        let progress = null;
        if (site && t.indicator === 'water_class') {
          const series = seriesBySite(await hourlyValues(db, [site], waterParameters, from, to)).get(site);
          const means: Record<string, string> = {};
          let samples = 0;
          for (const [parameter, values] of series ?? []) {
            if (!isClassified(parameter) || values.size === 0) continue;
            means[parameter] = exactMean([...values.values()], 3);
            samples = Math.max(samples, values.size);
          }
          progress = waterTargetProgress(rule, sectionClass(means)?.class ?? null, samples);
        } else if (site) {
          const series = seriesBySite(await hourlyValues(db, [site], pollutants, new Date(from.getTime() - HOUR_MS), to)).get(site) ?? new Map<string, Map<number, string>>();
          const days = naturalDays(from, to).map((day) => ({ day, aqi: dailyAqiOf(series, day).aqi, pm2_5: dailyMean(dayHours(series, 'pm2_5', day), 'pm2_5').value }));
          progress = airTargetProgress(rule, days, daysInYear);
        }
        rows.push({
          id: t.id,
          document: t.document,
          nature: t.nature,
          governing: t.governing,
          indicator: t.indicator,
          scope: t.scope,
          baseline: t.baseline ?? null,
          target: t.target,
          validFrom: t.validFrom,
          validTo: t.validTo,
          year,
          asOf,
          progress,
        });
      }
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else {
        if (rows.length === 0) context.out(`no targets in force in ${year} (--all shows every target)`);
        for (const r of rows) {
          const p = r.progress;
          context.out(`${r.id}${r.governing ? '' : ' (not governing)'}  ${r.document}  ${r.indicator}: ${p?.current ?? 'no data'} (target ${p?.required ?? '-'})${p?.meets === true ? ' 达标' : p?.meets === false ? ' 未达标' : ''}${p?.projection ? `  ${p.projection}` : ''}`);
        }
      }
      return 0;
    });
  },
};
