/** Every job envmon runs. This list drives both enqueueing and worker dispatch. */
import { checkSilenceJob } from './check-silence.ts';
import { dailySummaryJob } from './daily-summary.ts';
import { deriveMinuteHoursJob } from './derive-minute-hours.ts';
import { evaluateJob } from './evaluate.ts';
import { evaluatePendingJob } from './evaluate-pending.ts';
import { ingestJob } from './ingest.ts';
import { notifyJob } from './notify.ts';
import { periodReportJob } from './period-report.ts';
import { pruneMinuteDaysJob } from './prune-minute-days.ts';
import { pullJob } from './pull.ts';

export const jobs = [pullJob, ingestJob, evaluateJob, evaluatePendingJob, checkSilenceJob, notifyJob, dailySummaryJob, deriveMinuteHoursJob, periodReportJob, pruneMinuteDaysJob] as const;
export type AnyJob = (typeof jobs)[number];
export type JobName = AnyJob['name'];
