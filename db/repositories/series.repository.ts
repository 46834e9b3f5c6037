import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SeriesValue {
  site: string;
  parameter: string;
  observedAt: Date;
  value: string;
}

/**
 * Hourly values of sites and parameters with interval ends in (from, to], in time order. Only values flagged N
 * (normal) count: any other HJ 212 data flag keeps a value out of every statistic.
 */
export async function hourlyValues(db: Kysely<Database>, sites: readonly string[], parameters: readonly string[], from: Date, to: Date): Promise<SeriesValue[]> {
  if (sites.length === 0 || parameters.length === 0) return [];
  const rows = await db
    .selectFrom('reading')
    .innerJoin('site', 'site.id', 'reading.site_id')
    .innerJoin('parameter', 'parameter.id', 'reading.parameter_id')
    .select(['site.code as site', 'parameter.code as parameter', 'reading.observed_at', 'reading.value'])
    .where('site.code', 'in', [...sites])
    .where('parameter.code', 'in', [...parameters])
    .where('reading.period', '=', 'hour')
    .where('reading.flag', '=', 'N')
    .where('reading.observed_at', '>', from)
    .where('reading.observed_at', '<=', to)
    .orderBy('reading.observed_at')
    .execute();
  return rows.map((r) => ({ site: r.site, parameter: r.parameter, observedAt: r.observed_at, value: r.value }));
}

export interface HourlyReading {
  siteId: number;
  parameterId: number;
  observedAt: Date;
  value: string;
  flag: string;
}

/** Hourly readings of any flag, by id, with interval ends in (from, to], in time order. */
export async function hourlyReadings(db: Kysely<Database>, siteIds: readonly number[], parameterIds: readonly number[], from: Date, to: Date): Promise<HourlyReading[]> {
  if (siteIds.length === 0 || parameterIds.length === 0) return [];
  const rows = await db
    .selectFrom('reading')
    .select(['site_id', 'parameter_id', 'observed_at', 'value', 'flag'])
    .where('site_id', 'in', [...new Set(siteIds)])
    .where('parameter_id', 'in', [...new Set(parameterIds)])
    .where('period', '=', 'hour')
    .where('observed_at', '>', from)
    .where('observed_at', '<=', to)
    .orderBy('observed_at')
    .execute();
  return rows.map((r) => ({ siteId: r.site_id, parameterId: r.parameter_id, observedAt: r.observed_at, value: r.value, flag: r.flag }));
}

/** The hourly values flagged N (normal) of one series by id, with interval ends in (from, to], in time order. */
export async function seriesNormalHours(db: Kysely<Database>, siteId: number, parameterId: number, from: Date, to: Date): Promise<{ observed_at: Date; value: string }[]> {
  return db
    .selectFrom('reading')
    .select(['observed_at', 'value'])
    .where('site_id', '=', siteId)
    .where('parameter_id', '=', parameterId)
    .where('period', '=', 'hour')
    .where('flag', '=', 'N')
    .where('observed_at', '>', from)
    .where('observed_at', '<=', to)
    .orderBy('observed_at')
    .execute();
}
