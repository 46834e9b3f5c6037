/** What processors receive from the composition root. A processor never creates a client itself. */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { z } from 'zod';
import type { AppConfig } from '../config/load-config.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { PartitionCache } from '../db/repositories/readings.repository.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { MailChannel } from '../notify/channels/mail.ts';
import type { SourceAdapter } from '../sources/source-adapter.ts';
import type { JobDefinition } from './job-definition.ts';

/** Adds a job to its queue with the job's own options; resolves once the queue holds it. */
export type Enqueue = <S extends z.ZodType>(job: JobDefinition<string, S, unknown>, payload: z.infer<S>) => Promise<void>;

export interface JobDeps {
  readonly config: AppConfig;
  readonly db: Kysely<Database>;
  /** The pool under `db`, for COPY. */
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Adapters by source id, built once at start. */
  readonly adapters: ReadonlyMap<string, SourceAdapter>;
  readonly parameterIds: ParameterIds;
  readonly partitions: PartitionCache;
  readonly enqueue: Enqueue;
  /** SMTP, or .eml files when no server is configured. */
  readonly mail: MailChannel;
  /** This process's metrics: what the jobs count (readings, pulls, evaluations, deliveries). */
  readonly metrics: Metrics;
  now(): Date;
}
