/** Brings the configuration's sites, sources and targets and the parameter catalogue into the database. */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { parameterCatalogue } from '../standards/parameters.ts';
import { syncParameters, type ParameterIds } from './repositories/parameters.repository.ts';
import { siteIdsByCode, upsertConfiguredSites } from './repositories/sites.repository.ts';
import { upsertConfiguredSources } from './repositories/sources.repository.ts';
import { upsertConfiguredTargets } from './repositories/targets.repository.ts';
import type { Database } from './schema.ts';

export async function syncConfig(db: Kysely<Database>, config: AppConfig): Promise<ParameterIds> {
  return db.transaction().execute(async (trx) => {
    const parameterIds = await syncParameters(trx, parameterCatalogue);
    await upsertConfiguredSites(trx, config.sites);
    await upsertConfiguredSources(trx, config.sources);
    const siteIds = await siteIdsByCode(trx, config.sites.map((s) => s.code));
    await upsertConfiguredTargets(trx, config.targets, siteIds);
    return parameterIds;
  });
}
