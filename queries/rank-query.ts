/**
 * Rankings of sites or areas by an assessment figure (competition ranking, ties shared). Ranked on the figures
 * without dust-affected days (扣沙), as the national city ranking deducts them.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { airAreas } from '../db/repositories/air-sites.repository.ts';
import type { Database } from '../db/schema.ts';
import { compareDecimal } from '../lib/decimal.ts';
import type { AirAssessment, RankRow } from '../standards/assessment-types.ts';
import { assessAir } from './air-assessment-query.ts';
import { QueryError } from '../lib/query-error.ts';

export type RankBy = 'composite' | 'pm2_5' | 'goodRatio' | 'change';
export const rankFigures: readonly RankBy[] = ['composite', 'pm2_5', 'goodRatio', 'change'];

export interface RankQuery {
  by: RankBy;
  from: string;
  to: string;
  /** Rank areas instead of sites. */
  areas?: boolean;
}

/** The ranked figure (without dust days) and whether a larger value ranks first. */
function figure(a: AirAssessment, by: RankBy): string | null {
  switch (by) {
    case 'composite':
      return a.withoutDust.compositeIndex;
    case 'pm2_5':
      return a.withoutDust.concentrations.pm2_5.value;
    case 'goodRatio':
      return a.withoutDust.goodRatio;
    case 'change':
      return a.previousYear.change.compositeIndex;
  }
}

/** Why a row has no value, in Chinese. */
function reasonOf(a: AirAssessment, by: RankBy): string {
  if (by === 'goodRatio') return '无有效AQI日';
  if (by === 'change') return a.previousYear.figures === null ? '上年同期无数据' : '本期或上年同期综合指数无效';
  const invalid = Object.entries(a.withoutDust.concentrations).filter(([, c]) => !c.valid).map(([p, c]) => `${p} ${c.validCount}/${c.required}`);
  return by === 'pm2_5' ? `PM2.5有效日数不足(${a.withoutDust.concentrations.pm2_5.validCount}/需${a.withoutDust.concentrations.pm2_5.required})` : `有效日数不足: ${invalid.join(', ')}`;
}

export async function rankAir(db: Kysely<Database>, config: Pick<AppConfig, 'dustDays'>, query: RankQuery, now: Date): Promise<RankRow[]> {
  if (!rankFigures.includes(query.by)) throw new QueryError(`by: expected one of ${rankFigures.join(', ')}, got ${JSON.stringify(query.by)}`);
  let assessments: AirAssessment[];
  if (query.areas === true) {
    const areas = await airAreas(db);
    assessments = [];
    for (const area of areas) assessments.push(...(await assessAir(db, config, { area, from: query.from, to: query.to }, now)));
  } else {
    assessments = await assessAir(db, config, { from: query.from, to: query.to }, now);
  }
  return rankAssessments(assessments, query.by);
}

/** Ranks assessments already made (competition ranking, ties shared); those without a value follow with rank 0. */
export function rankAssessments(assessments: readonly AirAssessment[], by: RankBy): RankRow[] {
  // Lower is better except the good-day ratio.
  const descending = by === 'goodRatio';
  const valued = assessments
    .map((a) => ({ a, value: figure(a, by) }))
    .filter((r): r is { a: AirAssessment; value: string } => r.value !== null)
    .sort((x, y) => (descending ? compareDecimal(y.value, x.value) : compareDecimal(x.value, y.value)));
  const rows: RankRow[] = valued.map(({ a, value }) => {
    // Competition ranking (1, 1, 3): a row's rank is 1 + the rows strictly better than it.
    const better = valued.findIndex((v) => compareDecimal(v.value, value) === 0);
    const tied = valued.filter((v) => compareDecimal(v.value, value) === 0).length > 1;
    return { rank: better + 1, tied, ...who(a), value, assessment: a };
  });
  const unranked = assessments.filter((a) => figure(a, by) === null).map((a) => ({ rank: 0, tied: false, ...who(a), value: null, reason: reasonOf(a, by), assessment: a }));
  return [...rows, ...unranked];
}

function who(a: AirAssessment): { site?: string; area?: string; name: string } {
  return { ...(a.site === undefined ? {} : { site: a.site }), ...(a.area === undefined ? {} : { area: a.area }), name: a.name };
}
