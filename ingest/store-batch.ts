/**
 * Stores one batch of normalized readings: site codes resolved to ids (unknown ones quarantined, or registered
 * from feed metadata when asked), monthly partitions ensured, then readings, the series the source delivered
 * (`source_series`), quarantine, source state and the windows-pending mark of what changed
 * (evaluate/finish-pending.ts) in one transaction.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { inClientTransaction } from '../db/client-transaction.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { quarantine } from '../db/repositories/quarantine.repository.ts';
import { ensureMinutePartitions, storeMinutes, type MinuteRow } from '../db/repositories/minute-readings.repository.ts';
import { ensurePartitions, storeReadings, type PartitionCache, type ReadingRow, type StoreCounts } from '../db/repositories/readings.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { recordSourceSeries } from '../db/repositories/source-series.repository.ts';
import { recordSourceSuccess } from '../db/repositories/sources.repository.ts';
import type { Database } from '../db/schema.ts';
import { markPending, type PendingSpan } from '../db/repositories/windows-pending.repository.ts';
import type { Metrics } from '../lib/metrics.ts';
import { HOUR_MS } from '../lib/time.ts';
import { minuteSlot } from './minute-hour.ts';
import type { NormalizedReading, Rejection } from './normalize.ts';
import { hourSpans } from './touched-series.ts';

export interface StoreDeps {
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;
  readonly parameterIds: ParameterIds;
  readonly partitions: PartitionCache;
  /** Counts what each batch stored and quarantined; absent in a process without metrics (the CLI). */
  readonly metrics?: Metrics;
  now(): Date;
}

export interface BatchInput {
  sourceId: string | null;
  readings: readonly NormalizedReading[];
  rejections: readonly Rejection[];
  /** Where the source's cursor moves once the batch is stored. */
  cursor?: Date;
  /** Record the batch as the source's latest successful run (not for replays of old input). */
  recordHealth?: boolean;
  /**
   * Whether the rules are to judge the batch's hours (default true, as for pulled data); false for bulk history,
   * whose rolling windows are refreshed but which opens no alert.
   */
  runRules?: boolean;
}

export interface BatchResult extends StoreCounts {
  /**
   * Only for a batch with minute values: how many were new or changed (stored apart, their hours marked for
   * derivation), and the ends of the hours the batch's minutes belong to, ISO instants.
   */
  minutes?: { stored: number; hours: string[] };
  rejected: number;
  rejections: Rejection[];
}

/** Site code → id, remembered across the batches of one import or worker. */
export type SiteIdCache = Map<string, number>;

/** Thrown inside a dry run's transaction to roll it back with the counts it would have produced. */
class DryRunRollback extends Error {
  constructor(readonly counts: StoreCounts & { minutes: number }) {
    super('dry run');
  }
}

export async function storeBatch(deps: StoreDeps, input: BatchInput, siteIds: SiteIdCache = new Map(), dryRun = false): Promise<BatchResult> {
  const missing = new Set<string>();
  for (const r of input.readings) if (!siteIds.has(r.site)) missing.add(r.site);
  for (const [code, id] of await siteIdsByCode(deps.db, [...missing])) siteIds.set(code, id);

  const rows: ReadingRow[] = [];
  const minuteRows: MinuteRow[] = [];
  const minuteHours = new Set<string>();
  const rejections = [...input.rejections];
  for (const r of input.readings) {
    const siteId = siteIds.get(r.site);
    const parameterId = deps.parameterIds.get(r.parameter);
    if (siteId === undefined || parameterId === undefined) {
      rejections.push({
        code: siteId === undefined ? 'unknown_site' : 'unknown_parameter',
        reason: siteId === undefined ? `unknown site "${r.site}"` : `unknown parameter "${r.parameter}"`,
        raw: JSON.stringify(r),
        detail: { site: r.site, parameter: r.parameter, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag },
      });
      continue;
    }
    if (r.period === 'minute') {
      // Minute data is kept apart from the hourly readings; envmon derives the hours from it.
      const slot = minuteSlot(r.observedAt, r.intervalMinutes);
      minuteRows.push({ siteId, parameterId, minuteStart: slot.start.toISOString(), minutes: slot.minutes, value: r.value, flag: r.flag });
      minuteHours.add(slot.hourEnd.toISOString());
      continue;
    }
    rows.push({ siteId, parameterId, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag });
  }
  // What a source delivered, for the no-data rules, includes its minute data.
  const delivered = minuteRows.length === 0 ? rows : [...rows, ...minuteRows.map((m) => ({ siteId: m.siteId, parameterId: m.parameterId, period: 'minute', observedAt: m.minuteStart, value: m.value, unit: '', flag: m.flag }))];

  await ensurePartitions(deps.db, rows.map((r) => r.observedAt), deps.partitions);
  await ensureMinutePartitions(deps.db, minuteRows.map((m) => m.minuteStart), deps.partitions);
  const at = deps.now();
  let counts: StoreCounts & { minutes: number };
  const write = () =>
    inClientTransaction(deps.pool, async (tx) => {
      const stored = { ...(await storeReadings(tx, rows, input.sourceId)), minutes: await storeMinutes(tx.db, minuteRows, input.sourceId) };
      if (input.sourceId) await recordSourceSeries(tx.db, input.sourceId, delivered);
      // What the new or revised hours owe (windows, rules) is recorded with them: a crash before it is paid leaves
      // the debt on record for whoever comes next.
      if (!dryRun && stored.stored + stored.revised > 0) await markPending(tx.db, pendingSpans(rows), input.runRules ?? true);
      await quarantine(tx.db, input.sourceId, rejections);
      if (input.sourceId && input.recordHealth !== false) await recordSourceSuccess(tx.db, input.sourceId, input.cursor ?? null, rows.length, at);
      if (dryRun) throw new DryRunRollback(stored);
      return stored;
    });
  try {
    try {
      counts = await write();
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // A partition this process made is gone (a server restored from a backup, a failover that lost the last
      // commits): forget what was remembered, make the partitions again and store once more.
      deps.partitions.clear();
      await ensurePartitions(deps.db, rows.map((r) => r.observedAt), deps.partitions);
      await ensureMinutePartitions(deps.db, minuteRows.map((m) => m.minuteStart), deps.partitions);
      counts = await write();
    }
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
    counts = error.counts;
  }
  const { minutes, ...hourly } = counts;
  if (!dryRun) deps.metrics?.countStoredBatch(input.sourceId, { ...hourly, minutes, rejections });
  return { ...hourly, ...(minuteRows.length > 0 ? { minutes: { stored: minutes, hours: [...minuteHours].sort() } } : {}), rejected: rejections.length, rejections };
}

/** Per series, the span of the batch's hourly values: hour ends in (first − 1 h, last]. */
function pendingSpans(rows: readonly ReadingRow[]): PendingSpan[] {
  return [...hourSpans(rows, (r) => r.siteId * 65_536 + r.parameterId).values()].map((s) => ({ siteId: s.row.siteId, parameterId: s.row.parameterId, from: new Date(Date.parse(s.first) - HOUR_MS), to: new Date(Date.parse(s.last)) }));
}

/** PostgreSQL's "no partition of relation … found for row" (check_violation on a partitioned table). */
function isMissingPartition(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '23514' && typeof e.message === 'string' && e.message.startsWith('no partition of relation');
}
