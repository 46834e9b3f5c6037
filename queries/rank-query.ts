/** Rankings of sites or areas by an assessment figure (competition ranking, ties shared). */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { Database } from '../db/schema.ts';
import type { RankRow } from '../standards/assessment-types.ts';

export type RankBy = 'composite' | 'pm2_5' | 'goodRatio' | 'change';

export interface RankQuery {
  by: RankBy;
  from: string;
  to: string;
  /** Rank areas instead of sites. */
  areas?: boolean;
}

export function rankAir(db: Kysely<Database>, config: AppConfig, query: RankQuery, now: Date): Promise<RankRow[]> {
  void db; void config; void query; void now;
  return Promise.reject(new Error('ranking is not built yet'));
}
