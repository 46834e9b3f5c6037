/**
 * Plan targets with year-to-date progress and the projection, for `envmon targets`, GET /api/targets and the
 * target-at-risk rule. Air indicators come from the stored natural-day aggregates (daily AQI from the day values
 * of the six pollutants); water targets from the year's hourly values, judged as the water_class rule and the daily
 * summary judge them (standards/water-target.ts: each value by its own month's seasonal limit). A target whose site
 * is fed by simulated or replayed demonstration data says so (`origin`, `originLabel`).
 */
import type { Kysely } from 'kysely';
import type { TargetConfig } from '../config/schema.ts';
import { aggregatesOf } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { dataOrigins } from '../db/repositories/source-series.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields, type DataOrigin } from '../lib/data-origin.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';
import { addDayValue, naturalDays } from '../standards/air-series.ts';
import { dailyAqi, editionForDay, pollutants, type DailyConcentrations } from '../standards/aqi.ts';
import { endOfNaturalDay, naturalDayOf } from '../standards/natural-day.ts';
import { airTargetProgress, waterTargetProgress, type DailyAirValues, type Progress } from '../standards/target-progress.ts';
import { isClassified } from '../standards/water-class.ts';
import { assessSamplesAgainstTarget, waterTargetOf } from '../standards/water-target.ts';
import { QueryError } from './air-queries.ts';

const waterParameters = ['ph', 'do', 'codmn', 'cod', 'bod5', 'nh3_n', 'tp'];

export interface TargetRow {
  id: string;
  document: string;
  nature: TargetConfig['nature'];
  governing: boolean;
  indicator: TargetConfig['indicator'];
  scope: TargetConfig['scope'];
  baseline: TargetConfig['baseline'] | null;
  target: TargetConfig['target'];
  validFrom: string;
  validTo: string;
  year: number;
  asOf: string;
  progress: Progress | null;
  /** simulated / replayed when demonstration data feed the target's site in the year to date; null for measured data. */
  origin: DataOrigin | null;
  originLabel: string | null;
}

export interface TargetsQuery {
  year?: string | undefined;
  asOf?: string | undefined;
  /** Every target, not only those in force in the year. */
  all?: boolean;
  ids?: readonly string[];
}

export async function targetsQuery(db: Kysely<Database>, targets: readonly TargetConfig[], parameterIds: ParameterIds, query: TargetsQuery, now: Date): Promise<TargetRow[]> {
  const today = new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  const year = query.year === undefined ? Number((query.asOf ?? today).slice(0, 4)) : Number(query.year);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new QueryError('year must be a year such as 2025');
  const asOf = query.asOf ?? (`${year}` === today.slice(0, 4) ? today : `${year}-12-31`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !asOf.startsWith(String(year))) throw new QueryError('as-of must be a date (YYYY-MM-DD) in the year');
  const selected = targets.filter((t) => (query.ids ? query.ids.includes(t.id) : query.all === true || (Number(t.validFrom.slice(0, 4)) <= year && year <= Number(t.validTo.slice(0, 4)))));
  const from = endOfNaturalDay(`${year - 1}-12-31`);
  const to = endOfNaturalDay(asOf);
  const daysInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
  const siteIds = await siteIdsByCode(db, selected.flatMap((t) => ('site' in t.scope ? [t.scope.site] : [])));
  const origins = await dataOrigins(db, [...siteIds.values()], { from, to });
  const waterBodies = new Map((siteIds.size === 0 ? [] : await db.selectFrom('site').select(['code', 'water_body']).where('id', 'in', [...siteIds.values()]).execute()).map((s) => [s.code, s.water_body]));

  const rows: TargetRow[] = [];
  for (const t of selected) {
    const site = 'site' in t.scope ? t.scope.site : null;
    const siteId = site === null ? undefined : siteIds.get(site);
    const rule = { indicator: t.indicator, comparator: t.target.comparator, ...(t.target.value === undefined ? {} : { value: t.target.value }), ...(t.baseline ? { baseline: t.baseline.value } : {}) };
    let progress: Progress | null = null;
    if (site && t.indicator === 'water_class') {
      const byTime = new Map<number, Record<string, string>>();
      for (const v of await hourlyValues(db, [site], waterParameters, from, to)) {
        if (!isClassified(v.parameter)) continue;
        const values = byTime.get(v.observedAt.getTime()) ?? {};
        values[v.parameter] = v.value;
        byTime.set(v.observedAt.getTime(), values);
      }
      const samples = [...byTime].map(([at, values]) => ({ at, values }));
      const waterBody = waterBodies.get(site) === 'lake_reservoir' ? 'lake_reservoir' : 'river';
      progress = waterTargetProgress(rule, assessSamplesAgainstTarget(samples, waterTargetOf(t), waterBody), samples.length);
    } else if (siteId !== undefined) {
      progress = airTargetProgress(rule, await dailyAirValues(db, siteId, parameterIds, from, to), daysInYear);
    }
    rows.push({ id: t.id, document: t.document, nature: t.nature, governing: t.governing, indicator: t.indicator, scope: t.scope, baseline: t.baseline ?? null, target: t.target, validFrom: t.validFrom, validTo: t.validTo, year, asOf, progress, ...originFields(siteId === undefined ? null : origins.get(siteId)) });
  }
  return rows;
}

/**
 * Each natural day ending in (from, to]: its daily AQI (HJ 633 edition of the day) and PM2.5 24-h mean, from the
 * stored day values. The 2012 edition's O3 1-h daily maximum counts only when the day has 20 valid hours.
 */
export async function dailyAirValues(db: Kysely<Database>, siteId: number, parameterIds: ParameterIds, from: Date, to: Date): Promise<DailyAirValues[]> {
  const ids = new Map(pollutants.flatMap((p) => (parameterIds.has(p) ? [[parameterIds.get(p) as number, p] as const] : [])));
  const rows = await aggregatesOf(db, 'day', [siteId], [...ids.keys()], new Date(from.getTime() + 1), to);
  const byDay = new Map<string, DailyConcentrations>();
  for (const r of rows) {
    const day = naturalDayOf(r.windowEnd);
    const values = byDay.get(day) ?? {};
    byDay.set(day, values);
    const p = ids.get(r.parameterId);
    if (p !== undefined) addDayValue(values, p, r);
  }
  return naturalDays(from, to).map((day) => {
    const values = byDay.get(day) ?? {};
    return { day, aqi: dailyAqi(editionForDay(day), values).aqi, pm2_5: values.pm2_5 ?? null };
  });
}
