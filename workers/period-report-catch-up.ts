/**
 * Start-up catch-up of the monthly and annual reports: when this month's (this year's) scheduled run has already
 * passed — envmon was down at that minute — the report of the month (year) before is queued now. The period's row
 * in `period_report` makes this harmless when the report was produced already. The annual report is caught up
 * within 31 days of its slot only.
 */
import cron from 'node-cron';
import type { AppConfig } from '../config/load-config.ts';
import type { JobDeps } from '../jobs/job-deps.ts';
import { periodReportJob, previousMonth, previousYear } from '../jobs/period-report.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';

/**
 * Whether `schedule` (Beijing time) had a slot from 00:00 of `fromDay` (YYYY-MM-DD, Beijing) up to `now`. Only the
 * minutes the expression names are tried, day by day, so a month or a year is checked in a few hundred matches.
 */
export function slotPassedSince(schedule: string, fromDay: string, now: Date): boolean {
  const fields = cron.parse(schedule);
  const task = cron.createTask(schedule, () => undefined, { timezone: 'Asia/Shanghai' });
  try {
    const dayStart = Date.parse(`${fromDay}T00:00:00Z`) - BEIJING_OFFSET_MS;
    for (let day = dayStart; day <= now.getTime(); day += DAY_MS) {
      for (const hour of fields.hour) {
        for (const minute of fields.minute) {
          const candidate = new Date(day + hour * 3_600_000 + minute * 60_000);
          if (candidate.getTime() > now.getTime()) continue;
          if (task.match(candidate)) return true;
        }
      }
    }
    return false;
  } finally {
    void task.destroy();
  }
}

/** Queues the previous month's and year's reports when their scheduled minute has passed; returns what it queued. */
export async function catchUpPeriodReports(config: AppConfig, enqueue: JobDeps['enqueue'], now: Date): Promise<string[]> {
  const today = new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  const queued: string[] = [];
  if (slotPassedSince(config.notifications.monthlyReportSchedule, `${today.slice(0, 7)}-01`, now)) {
    const period = previousMonth(now);
    await enqueue(periodReportJob, { kind: 'monthly', period });
    queued.push(`monthly:${period}`);
  }
  // A slot of this year at most 31 days ago: a new installation in December does not send last year's report.
  const monthAgo = new Date(now.getTime() + BEIJING_OFFSET_MS - 31 * DAY_MS).toISOString().slice(0, 10);
  const yearStart = `${today.slice(0, 4)}-01-01`;
  if (slotPassedSince(config.notifications.annualReportSchedule, monthAgo > yearStart ? monthAgo : yearStart, now)) {
    const period = previousYear(now);
    await enqueue(periodReportJob, { kind: 'annual', period });
    queued.push(`annual:${period}`);
  }
  return queued;
}
