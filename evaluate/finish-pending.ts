/**
 * Pays what stored data owes: the pending marks of some sites (db/repositories/windows-pending.repository.ts).
 * Each group of sites is one unit of work (evaluate/evaluate-changes.ts): in one transaction holding the sites'
 * locks, their marks are taken, the windows refreshed, the rules run on the marks that ask for them, and the marks
 * deleted. A crash anywhere leaves the marks as they were, for the next caller. Groups are paid two at a time
 * (`concurrency`): their sites are disjoint, so neither waits for the other's locks.
 *
 * Callers: the `evaluate` job for its site and the end of an import (waiting while another evaluation holds a
 * site, then paying whatever is still pending); `envmon aggregates rebuild` (the same, for every site); the periodic
 * recovery job for marks left behind (it skips a site another evaluation holds: that one pays the marks).
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { lockSites, tryLockSites } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { clearPending, sitesPending, takePending, type PendingMark } from '../db/repositories/windows-pending.repository.ts';
import type { Database } from '../db/schema.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import { pushTo } from '../lib/collections.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { addAlertCounts, noAlertChanges, type AlertCounts } from './apply-observations.ts';
import { evaluateInTransaction } from './evaluate-changes.ts';

export interface FinishDeps {
  readonly db: Kysely<Database>;
  readonly parameterIds: ParameterIds;
  /** The rules to run; null: only marks that ask for windows alone are paid (the rest wait for a caller with rules). */
  readonly config: AppConfig | null;
  readonly log?: Logger;
  /** Times each evaluation; absent in a process without metrics (the CLI). */
  readonly metrics?: Metrics;
  now(): Date;
}

export interface FinishOptions {
  /** Only these sites; default every site with pending marks. */
  siteIds?: readonly number[];
  /** Only sites with a mark at least this old (by the database clock). */
  olderThanSeconds?: number;
  /** Wait for a site another evaluation holds (true), or leave it to that one (false). */
  wait: boolean;
  /** A failing site does not stop the others: it is logged and left pending (the recovery). */
  isolateFailures?: boolean;
  /** Sites per transaction; default 200. */
  sitesPerTransaction?: number;
  /**
   * Transactions run at once, on as many connections; default 2. Their sites are disjoint, so they never wait for
   * each other's locks: while one transaction's statements run in PostgreSQL, node prepares the other's, and a
   * bulk evaluation uses two cores instead of taking turns on one.
   */
  concurrency?: number;
}

export interface FinishResult {
  /** Sites whose marks were paid. */
  sites: number;
  marks: number;
  /** Series whose windows were refreshed. */
  series: number;
  /** Sites left to the evaluation holding them. */
  busy: number;
  /** Sites whose marks could not be paid (with isolateFailures). */
  failed: number;
  alerts: AlertCounts;
  /** Time spent refreshing windows and running rules, ms (summed over the transactions). */
  refreshMs: number;
  rulesMs: number;
}

export async function finishPending(deps: FinishDeps, options: FinishOptions): Promise<FinishResult> {
  const total: FinishResult = { sites: 0, marks: 0, series: 0, busy: 0, failed: 0, alerts: noAlertChanges(), refreshMs: 0, rulesMs: 0 };
  const withRules = deps.config !== null;
  const sites = await sitesPending(deps.db, { ...(options.siteIds ? { siteIds: options.siteIds } : {}), ...(options.olderThanSeconds === undefined ? {} : { olderThanSeconds: options.olderThanSeconds }), withRules });
  const size = options.sitesPerTransaction ?? 200;
  const chunks: number[][] = [];
  for (let i = 0; i < sites.length; i += size) chunks.push(sites.slice(i, i + size));
  await eachConcurrently(chunks, options.concurrency ?? 2, async (chunk) => {
    try {
      add(total, await finishSites(deps, chunk, options.wait));
    } catch (error) {
      if (!options.isolateFailures) throw error;
      // One site's failure must not keep the others pending: try them one by one.
      for (const site of chunk) {
        try {
          add(total, await finishSites(deps, [site], options.wait));
        } catch (siteError) {
          total.failed++;
          deps.log?.error('pending windows of a site could not be finished; left for the next run', { siteId: site, error: siteError instanceof Error ? siteError.message : String(siteError) });
        }
      }
    }
  });
  return total;
}

/**
 * Runs `work` on the items in order, at most `limit` at a time. After a failure no further item starts; those
 * running finish (each is a transaction of its own: it commits or rolls back whole), then the first error is thrown.
 */
async function eachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const runner = async (): Promise<void> => {
    while (errors.length === 0 && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  // At least one runner whatever `limit` is (0, NaN): marks are never left unpaid for want of one.
  const runners = Number.isInteger(limit) && limit > 1 ? Math.min(limit, items.length) : 1;
  await Promise.all(Array.from({ length: Math.max(1, runners) }, runner));
  if (errors.length > 0) throw errors[0];
}

async function finishSites(deps: FinishDeps, siteIds: readonly number[], wait: boolean): Promise<FinishResult> {
  const started = performance.now();
  const result = await deps.db.transaction().execute(async (trx) => {
    let locked: readonly number[] = siteIds;
    if (wait) await lockSites(trx, siteIds);
    else locked = await tryLockSites(trx, siteIds);
    const busy = siteIds.length - locked.length;
    const marks = await takePending(trx, locked, deps.config !== null);
    if (marks.length === 0) return { sites: 0, marks: 0, series: 0, busy, failed: 0, alerts: noAlertChanges(), refreshMs: 0, rulesMs: 0 };
    const siteCodes = new Map(marks.map((m) => [m.site, m.siteId]));
    const spans = spansBySite(marks);
    // Usually every mark asks for the rules: the same spans, which evaluation then need not work out twice.
    const judged = marks.every((m) => m.runRules) ? spans : spansBySite(marks.filter((m) => m.runRules));
    const result = await evaluateInTransaction(trx, deps, siteCodes, spans, judged);
    await clearPending(trx, marks.map((m) => m.id));
    return { sites: siteCodes.size, marks: marks.length, series: result.series, busy, failed: 0, alerts: result.alerts, refreshMs: result.refreshMs, rulesMs: result.rulesMs };
  });
  // Only evaluations that did something are timed: a site found already paid is not an evaluation.
  if (result.marks > 0) deps.metrics?.evaluationDuration.observe((performance.now() - started) / 1000);
  return result;
}

/**
 * Marks as the spans evaluation takes, by site code: per series, overlapping or adjoining spans merged into one
 * (several batches of one pull refetch the same hours), so that no hour is judged twice.
 */
export function spansBySite(marks: readonly PendingMark[]): Map<string, TouchedSpan[]> {
  const bySeries = new Map<string, PendingMark[]>();
  for (const m of marks) pushTo(bySeries, `${m.site}|${m.parameter}`, m);
  const out = new Map<string, TouchedSpan[]>();
  for (const list of bySeries.values()) {
    const sorted = [...list].sort((a, b) => a.from.getTime() - b.from.getTime());
    let current: { site: string; parameter: string; from: number; to: number } | null = null;
    for (const m of sorted) {
      if (current && m.from.getTime() <= current.to) current.to = Math.max(current.to, m.to.getTime());
      else {
        if (current) pushTo(out, current.site, toSpan(current));
        current = { site: m.site, parameter: m.parameter, from: m.from.getTime(), to: m.to.getTime() };
      }
    }
    if (current) pushTo(out, current.site, toSpan(current));
  }
  return out;
}

const toSpan = (s: { parameter: string; from: number; to: number }): TouchedSpan => ({ parameter: s.parameter, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() });

function add(total: FinishResult, more: FinishResult): void {
  total.sites += more.sites;
  total.marks += more.marks;
  total.series += more.series;
  total.busy += more.busy;
  total.failed += more.failed;
  total.refreshMs += more.refreshMs;
  total.rulesMs += more.rulesMs;
  addAlertCounts(total.alerts, more.alerts);
}
