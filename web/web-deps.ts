/** What the web console's routes are built from: the clients and configuration of the composition root. */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { AppConfig } from '../config/load-config.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { ConsoleQueues } from './console-queues.ts';

export interface WebDeps {
  readonly db: Kysely<Database>;
  readonly config: AppConfig;
  readonly parameterIds: ParameterIds;
  readonly log: Logger;
  readonly now: () => Date;
  /** The pool behind `db`: replaying quarantined input stores readings through it (ingest/store-batch.ts). Without it replay is refused. */
  readonly pool?: pg.Pool;
  /** The job queues for 运维 → 队列; without them that page says the queues cannot be read from this process. */
  readonly queues?: ConsoleQueues;
}
