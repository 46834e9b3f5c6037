/**
 * `period-report`: queues the monthly or annual report of one period, once however many instances schedule it or
 * catch it up at start-up: the period's row in `period_report` is inserted by whoever comes first, in the same
 * transaction as its outbox row. The `notify` run routes it to every recipient with `periodReports` and builds the
 * report (HTML, PNG chart, XLSX) when it sends.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { claimPeriodReport, setPeriodReportOutbox } from '../db/repositories/period-reports.repository.ts';
import { queuePeriodReportMail } from '../db/repositories/report-outbox.repository.ts';
import type { Database } from '../db/schema.ts';
import { BEIJING_OFFSET_MS } from '../lib/time.ts';
import { defineJob, jobId } from './job-definition.ts';

export const periodReportPayloadSchema = z.union([
  z.object({ kind: z.literal('monthly'), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }),
  z.object({ kind: z.literal('annual'), period: z.string().regex(/^\d{4}$/) }),
]);
export type PeriodReportPayload = z.infer<typeof periodReportPayloadSchema>;

/** The Beijing calendar date (YYYY-MM-DD) of an instant. */
const beijingDate = (at: Date) => new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

/** The month before the Beijing month of `at` (YYYY-MM): what a monthly run at `at` reports. */
export function previousMonth(at: Date): string {
  const [y, m] = beijingDate(at).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The year before the Beijing year of `at` (YYYY). */
export function previousYear(at: Date): string {
  return String(Number(beijingDate(at).slice(0, 4)) - 1);
}

export const periodReportJob = defineJob({
  name: 'period-report',
  payloadSchema: periodReportPayloadSchema,
  options: (payload, defaults) => ({ jobId: jobId('period-report', payload.kind, payload.period), attempts: defaults.attempts, backoff: { type: 'exponential', delay: defaults.backoffMs } }),
  // The period row makes a re-run harmless.
  stalls: 10,
  process: async (payload: PeriodReportPayload, deps) => queuePeriodReport(deps.db, payload),
});

/** Inserts the period's row and its outbox row unless the period has one; says whether this call queued it. */
export async function queuePeriodReport(db: Kysely<Database>, payload: PeriodReportPayload): Promise<{ kind: string; period: string; queued: boolean }> {
  return db.transaction().execute(async (trx) => {
    if (!(await claimPeriodReport(trx, payload.kind, payload.period))) return { ...payload, queued: false };
    const outboxId = await queuePeriodReportMail(trx, payload);
    await setPeriodReportOutbox(trx, payload.kind, payload.period, outboxId);
    return { ...payload, queued: true };
  });
}
