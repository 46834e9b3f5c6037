/** Every job envmon runs. This list drives both enqueueing and worker dispatch. */
import { ingestJob } from './ingest.ts';
import { pullJob } from './pull.ts';

export const jobs = [pullJob, ingestJob] as const;
export type AnyJob = (typeof jobs)[number];
export type JobName = AnyJob['name'];
