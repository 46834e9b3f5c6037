/** Period assessment of air for sites or areas (HJ 663): see standards/assessment-types.ts for the result. */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { Database } from '../db/schema.ts';
import type { AirAssessment } from '../standards/assessment-types.ts';

export interface AirAssessQuery {
  /** Site codes; with neither sites nor area, every air site. */
  sites?: readonly string[];
  /** An area name (sites' `area`): its value is the mean over its sites (HJ 663). */
  area?: string;
  /** YYYY-MM-DD, both inclusive, natural days in Beijing time. */
  from: string;
  to: string;
}

export function assessAir(db: Kysely<Database>, config: AppConfig, query: AirAssessQuery, now: Date): Promise<AirAssessment[]> {
  void db; void config; void query; void now;
  return Promise.reject(new Error('air assessment is not built yet'));
}
