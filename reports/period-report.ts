/**
 * The monthly (月报) and annual (年报) report of one period: the HJ 663 air assessment of every air site and every
 * area, the ranking of the sites by the composite index with the change against the same period a year before,
 * the water sections' classes against their targets and drinking-water compliance (GB 3838), the alerts active in
 * the period, and plan progress with the projection. Figures come from the assessment queries as exact decimal
 * strings already rounded (GB/T 8170); an invalid figure stays `valid: false` / null here and is written 无效 by
 * the renderers. Anything from simulated or replayed demonstration data is labelled (模拟数据 / 回放数据), in the
 * title too.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { Database } from '../db/schema.ts';
import { DAY_MS } from '../lib/time.ts';
import { assessAir } from '../queries/air-assessment-query.ts';
import { alertsQuery } from '../queries/alerts-query.ts';
import { rankAssessments } from '../queries/rank-query.ts';
import { targetsQuery, type TargetRow } from '../evaluate/target-standings.ts';
import { noTargetInForceNote } from '../standards/plan-period.ts';
import { assessWater } from '../queries/water-assessment-query.ts';
import type { AirAssessment, RankRow, WaterAssessment } from '../standards/assessment-types.ts';
import { endOfNaturalDay } from '../standards/natural-day.ts';

export type PeriodKind = 'monthly' | 'annual';

/** A plan target as the report shows it: in force, a labelled reference, or an ended one with its final result. */
export type ReportTarget = TargetRow;

export interface PeriodAlert {
  id: number;
  rule: string;
  severity: string;
  state: string;
  site: string | null;
  siteName: string | null;
  parameter: string | null;
  firstSeenAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  originLabel: string | null;
}

export interface PeriodReport {
  kind: PeriodKind;
  /** YYYY-MM or YYYY. */
  period: string;
  /** e.g. 2026年11月环境质量月报（模拟数据）. */
  title: string;
  /** YYYY-MM-DD, both inclusive (natural days, Beijing time). */
  from: string;
  to: string;
  /** False while the period is still running: the report holds what was there at `asOf`. */
  complete: boolean;
  asOf: string | null;
  /** Demonstration-data labels of anything shown (empty for measured data only). */
  originLabels: string[];
  air: { sites: AirAssessment[]; areas: AirAssessment[] };
  /** Sites ranked by composite index (lower is better), with the change against a year before. */
  ranking: RankRow[];
  water: WaterAssessment;
  alerts: PeriodAlert[];
  targets: ReportTarget[];
  /** Why no target is in force on the report's day (nothing configured, ended, not begun); null when some is. */
  targetsNote: string | null;
}

export interface PeriodBounds {
  from: string;
  to: string;
  /** The instants the period spans: natural days 01:00 of the first … 24:00 of the last. */
  start: Date;
  end: Date;
}

/** The natural days of a month (YYYY-MM) or a year (YYYY); a clear error for anything else. */
export function periodBounds(kind: PeriodKind, period: string): PeriodBounds {
  let from: string;
  let to: string;
  if (kind === 'monthly') {
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
    if (!m) throw new Error(`month ${JSON.stringify(period)}: expected YYYY-MM, e.g. 2026-11`);
    const [y, mo] = [Number(m[1]), Number(m[2])];
    from = `${period}-01`;
    to = `${period}-${String(new Date(Date.UTC(y, mo, 0)).getUTCDate()).padStart(2, '0')}`;
  } else {
    if (!/^\d{4}$/.test(period)) throw new Error(`year ${JSON.stringify(period)}: expected YYYY, e.g. 2026`);
    from = `${period}-01-01`;
    to = `${period}-12-31`;
  }
  const end = endOfNaturalDay(to);
  return { from, to, start: new Date(endOfNaturalDay(from).getTime() - DAY_MS), end };
}

export function periodName(kind: PeriodKind, period: string): string {
  return kind === 'monthly' ? `${period.slice(0, 4)}年${Number(period.slice(5, 7))}月` : `${period}年`;
}

export async function buildPeriodReport(db: Kysely<Database>, config: AppConfig, parameterIds: ParameterIds, kind: PeriodKind, period: string, now: Date): Promise<PeriodReport> {
  const bounds = periodBounds(kind, period);
  if (now.getTime() <= bounds.start.getTime()) throw new Error(`${periodName(kind, period)} has not begun`);
  const complete = now.getTime() >= bounds.end.getTime();
  const { from, to } = bounds;
  const airSites = config.sites.filter((s) => s.kind === 'air_station');
  const areas = [...new Set(airSites.flatMap((s) => (s.area ? [s.area] : [])))].sort();
  const sites = airSites.length === 0 ? [] : await assessAir(db, config, { sites: airSites.map((s) => s.code), from, to }, now);
  const areaAssessments: AirAssessment[] = [];
  for (const area of areas) areaAssessments.push(...(await assessAir(db, config, { area, from, to }, now)));
  // The sites' assessments just made are ranked, not assessed a second time.
  const ranking = rankAssessments(sites, 'composite');
  const water = await assessWater(db, config, { from, to }, now);
  const alerts = (await alertsQuery(db, { all: true, limit: 10_000 }))
    // Active at some time in the period: seen before its end, not resolved before its start.
    .filter((a) => a.first_seen_at.getTime() < bounds.end.getTime() && (a.resolved_at === null || a.resolved_at.getTime() >= bounds.start.getTime()))
    .map((a) => ({
      id: a.id,
      rule: a.rule_id,
      severity: a.severity,
      state: a.state,
      site: a.site,
      siteName: a.siteName,
      parameter: a.parameter,
      firstSeenAt: a.first_seen_at.toISOString(),
      firedAt: a.fired_at?.toISOString() ?? null,
      resolvedAt: a.resolved_at?.toISOString() ?? null,
      originLabel: a.originLabel,
    }))
    .reverse();
  // Targets of the period's year as of its last day (or now, while it runs): in force, references, finals.
  const asOfDay = complete ? to : new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const targetsDay = asOfDay < from ? from : asOfDay;
  const targets: ReportTarget[] = await targetsQuery(db, config.targets, parameterIds, { asOf: targetsDay }, now);
  const targetsNote = noTargetInForceNote(config.targets, targetsDay);
  const labels = [...sites, ...areaAssessments, ...water.period, ...alerts, ...targets].map((r) => r.originLabel);
  const originLabels = [...new Set(labels.filter((l): l is string => l !== null))].sort();
  const title = `${periodName(kind, period)}环境质量${kind === 'monthly' ? '月报' : '年报'}${complete ? '' : '（统计期未结束）'}${originLabels.length > 0 ? `（${originLabels.join('、')}）` : ''}`;
  return { kind, period, title, from, to, complete, asOf: complete ? null : now.toISOString(), originLabels, air: { sites, areas: areaAssessments }, ranking, water, alerts, targets, targetsNote };
}
