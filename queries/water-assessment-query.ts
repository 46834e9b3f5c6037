/** Water assessment per section and month (GB 3838 single-factor): see standards/assessment-types.ts. */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { Database } from '../db/schema.ts';
import type { WaterAssessment } from '../standards/assessment-types.ts';

export interface WaterAssessQuery {
  /** Site codes of water sections; without, every surface-water section and drinking-water source. */
  sites?: readonly string[];
  /** YYYY-MM-DD, both inclusive. */
  from: string;
  to: string;
}

export function assessWater(db: Kysely<Database>, config: AppConfig, query: WaterAssessQuery, now: Date): Promise<WaterAssessment> {
  void db; void config; void query; void now;
  return Promise.reject(new Error('water assessment is not built yet'));
}
