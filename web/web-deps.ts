/** What the web console's routes are built from: the clients and configuration of the composition root. */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';

export interface WebDeps {
  readonly db: Kysely<Database>;
  readonly config: AppConfig;
  readonly parameterIds: ParameterIds;
  readonly log: Logger;
  readonly now: () => Date;
}
