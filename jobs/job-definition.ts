/** What every job module exports: its queue, payload schema, job options and processor. */
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { JobDeps } from './job-deps.ts';

export interface JobDefinition<Name extends string, Schema extends z.ZodType, Result> {
  /** Queue name; also the job's name. */
  readonly name: Name;
  readonly payloadSchema: Schema;
  /** Job id (deduplication), attempts and backoff for a payload. */
  options(payload: z.infer<Schema>, defaults: { attempts: number; backoffMs: number }): JobsOptions;
  /**
   * How many times a job whose worker died (its lock expired: a crash, a kill, a lost connection) is taken up again
   * before it is failed for good (BullMQ's maxStalledCount; its default is 1). Only for jobs whose re-run is safe.
   */
  readonly stalls?: number;
  process(payload: z.infer<Schema>, deps: JobDeps): Promise<Result>;
}

export function defineJob<Name extends string, Schema extends z.ZodType, Result>(
  definition: JobDefinition<Name, Schema, Result>,
): JobDefinition<Name, Schema, Result> {
  return definition;
}

/** Job ids must not contain ":" (BullMQ's key separator); they are built from safe parts only. */
export function jobId(...parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9_.-]/g, '_')).join('__');
}
