/**
 * Plan targets with year-to-date progress and the projection, for `envmon targets`, GET /api/targets, the
 * console, the reports and the target-at-risk rule. Air indicators come from the stored natural-day aggregates (daily AQI from the day values
 * of the six pollutants); water targets from the year's hourly values, judged as the water_class rule and the daily
 * summary judge them (standards/water-target.ts: each value by its own month's seasonal limit). Across plan periods
 * (standards/plan-period.ts) an ended target reports its final year's result and, while the next plan's target is
 * not entered, is carried forward as a labelled reference. A target whose site
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
import { finalResult, planOfTarget, targetStandings, type FinalResult, type PlanName, type TargetStanding, type TargetStatus } from '../standards/plan-period.ts';
import { airTargetProgress, waterTargetProgress, type DailyAirValues, type Progress } from '../standards/target-progress.ts';
import { isClassified } from '../standards/water-class.ts';
import { assessSamplesAgainstTarget, waterTargetOf } from '../standards/water-target.ts';
import { QueryError } from '../lib/query-error.ts';

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
  /**
   * Year-to-date progress in `year` up to `asOf`: against the target for one in force, against the target's value as
   * a reference for a `reference` row; null for a `final` row (its result is `final`) and for an area target.
   */
  progress: Progress | null;
  /** simulated / replayed when demonstration data feed the target's site in the year to date; null for measured data. */
  origin: DataOrigin | null;
  originLabel: string | null;
  /** The Five-Year plan of the target (十四五 2021–2025, 十五五 2026–2030, by its last day); null outside them. */
  plan?: PlanName | null;
  /**
   * in_force: `asOf` lies in the target's validity. reference: its period has ended and no governing target in force
   * covers its indicator and scope, so its value is carried forward as a reference (not a target in force). final:
   * its period has ended and only its final-year result (`final`) is reported. Absent for a target shown by `all`
   * that has not begun or ended before the previous plan period.
   */
  status?: TargetStatus;
  /** status is in_force. */
  inForce?: boolean;
  /** status is reference: `progress` is judged against a carried-forward value, and must be shown labelled as such. */
  reference?: boolean;
  /** Why the row is shown as it is, in Chinese, e.g. 参考值（沿用十四五目标，十五五目标未录入）; print it with the row. */
  statusNote?: string;
  /** The target's period in Chinese, e.g. 十四五目标（2021-01-01 至 2025-12-31）已于2025年末到期. */
  periodNote?: string;
  /**
   * For an ended target (reference or final): its final year's result — the year's value as published (GB/T 8170),
   * whether it met the target and by how much (exact decimals), and a Chinese sentence. Null where no result can be
   * computed (an area target).
   */
  final?: FinalResult | null;
}

export interface TargetsQuery {
  year?: string | undefined;
  asOf?: string | undefined;
  /** Every target, not only those in force, carried as references or reporting their final result. */
  all?: boolean;
  ids?: readonly string[];
}

/**
 * The targets as they stand on `asOf` (standards/plan-period.ts): in force and references with the year's progress,
 * ended ones with their final-year result. Rows keep the order of `targets`.
 */
export async function targetsQuery(db: Kysely<Database>, targets: readonly TargetConfig[], parameterIds: ParameterIds, query: TargetsQuery, now: Date): Promise<TargetRow[]> {
  const { year, asOf } = targetsDate(query, now);
  const standings = new Map(targetStandings(targets, asOf).map((s) => [s.target, s]));
  const selected = targets.filter((t) => (query.ids ? query.ids.includes(t.id) : query.all === true || standings.has(t)));
  const siteIds = await siteIdsByCode(db, selected.flatMap((t) => ('site' in t.scope ? [t.scope.site] : [])));
  const origins = await dataOrigins(db, [...siteIds.values()], { from: endOfNaturalDay(`${year - 1}-12-31`), to: endOfNaturalDay(asOf) });
  const waterBodies = new Map((siteIds.size === 0 ? [] : await db.selectFrom('site').select(['code', 'water_body']).where('id', 'in', [...siteIds.values()]).execute()).map((s) => [s.code, s.water_body]));
  const progressOf = (t: TargetConfig, through: string) => targetProgress(db, t, parameterIds, siteIds, waterBodies, through);

  const rows: TargetRow[] = [];
  for (const t of selected) {
    const site = 'site' in t.scope ? t.scope.site : null;
    const siteId = site === null ? undefined : siteIds.get(site);
    const standing = standings.get(t) ?? unlisted(t, asOf);
    const ended = t.validTo < asOf;
    const progress = standing.status === 'final' ? null : await progressOf(t, asOf);
    let final: FinalResult | null | undefined;
    if (ended) {
      // The final year runs to the target's last day (normally 31 December of its last year).
      const finalYear = Number(t.validTo.slice(0, 4));
      const result = await progressOf(t, t.validTo);
      const limit = t.target.comparator === 'not_worse_than_baseline' ? (t.baseline?.value ?? NaN) : (t.target.value ?? NaN);
      const daysThrough = (Date.parse(t.validTo) - Date.UTC(finalYear, 0, 1)) / DAY_MS + 1;
      final = result === null ? null : finalResult(t.indicator, finalYear, result.current, result.meets, limit, result.basis, t.indicator === 'water_class' ? undefined : daysThrough);
    }
    rows.push({
      id: t.id, document: t.document, nature: t.nature, governing: t.governing, indicator: t.indicator, scope: t.scope, baseline: t.baseline ?? null, target: t.target, validFrom: t.validFrom, validTo: t.validTo, year, asOf, progress,
      ...originFields(siteId === undefined ? null : origins.get(siteId)),
      plan: standing.plan,
      ...(standing.status ? { status: standing.status } : {}),
      inForce: standing.status === 'in_force',
      reference: standing.status === 'reference',
      statusNote: standing.statusNote,
      periodNote: standing.periodNote,
      ...(final === undefined ? {} : { final }),
    });
  }
  return rows;
}

/** The year and the day (Beijing) a targets query assesses: today in this year, else the year's last day. */
export function targetsDate(query: Pick<TargetsQuery, 'year' | 'asOf'>, now: Date): { year: number; asOf: string } {
  const today = new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  const year = query.year === undefined ? Number((query.asOf ?? today).slice(0, 4)) : Number(query.year);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new QueryError('year must be a year such as 2025');
  const asOf = query.asOf ?? (`${year}` === today.slice(0, 4) ? today : `${year}-12-31`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !asOf.startsWith(String(year))) throw new QueryError('as-of must be a date (YYYY-MM-DD) in the year');
  return { year, asOf };
}

/** How a target outside the standings (shown by `all` or by id) is described: ended long ago, or not yet begun. */
function unlisted(t: TargetConfig, asOf: string): Omit<TargetStanding<TargetConfig>, 'status'> & { status?: TargetStatus } {
  const plan = planOfTarget(t);
  const periodNote = `${plan ?? '规划'}目标（${t.validFrom} 至 ${t.validTo}）`;
  if (t.validTo < asOf) return { target: t, status: 'final', plan, finalYear: Number(t.validTo.slice(0, 4)), statusNote: `已到期，仅列 ${t.validTo.slice(0, 4)} 年终结果`, periodNote };
  return { target: t, plan, finalYear: null, statusNote: `尚未生效（自 ${t.validFrom} 起）`, periodNote };
}

/**
 * A target's progress in the year of `through` up to that day: air indicators from the stored natural-day values,
 * water targets from the year's hourly values judged as the water_class rule judges them. Null for an area target.
 */
async function targetProgress(db: Kysely<Database>, t: TargetConfig, parameterIds: ParameterIds, siteIds: Map<string, number>, waterBodies: Map<string, string | null>, through: string): Promise<Progress | null> {
  const site = 'site' in t.scope ? t.scope.site : null;
  const siteId = site === null ? undefined : siteIds.get(site);
  const year = Number(through.slice(0, 4));
  const from = endOfNaturalDay(`${year - 1}-12-31`);
  const to = endOfNaturalDay(through);
  const rule = { indicator: t.indicator, comparator: t.target.comparator, ...(t.target.value === undefined ? {} : { value: t.target.value }), ...(t.baseline ? { baseline: t.baseline.value } : {}) };
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
    return waterTargetProgress(rule, assessSamplesAgainstTarget(samples, waterTargetOf(t), waterBody), samples.length);
  }
  if (siteId === undefined) return null;
  const daysInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
  return airTargetProgress(rule, await dailyAirValues(db, siteId, parameterIds, from, to), daysInYear);
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
