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
import { minutesKeptFrom } from '../db/repositories/minute-retention.repository.ts';
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
  const minuteValues: MinuteValue[] = [];
  const rejections = [...input.rejections];
  for (const r of input.readings) {
    const siteId = siteIds.get(r.site);
    const parameterId = deps.parameterIds.get(r.parameter);
    if (siteId === undefined || parameterId === undefined) {
      rejections.push({
        code: siteId === undefined ? 'unknown_site' : 'unknown_parameter',
        reason: siteId === undefined ? `unknown site "${r.site}"` : `unknown parameter "${r.parameter}"`,
        raw: JSON.stringify(r),
        detail: readingDetail(r),
      });
      continue;
    }
    if (r.period === 'minute') {
      // Minute data is kept apart from the hourly readings; envmon derives the hours from it.
      const slot = minuteSlot(r.observedAt, r.intervalMinutes);
      minuteValues.push({ row: { siteId, parameterId, minuteStart: slot.start.toISOString(), minutes: slot.minutes, value: r.value, flag: r.flag }, hourEnd: slot.hourEnd.toISOString(), reading: r });
      continue;
    }
    rows.push({ siteId, parameterId, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag });
  }
  // Minutes of days already dropped are not stored (see below); checked here first so that no partition is made for them.
  let minutes = minuteValues.length === 0 ? minuteValues : keepRetained(minuteValues, await minutesKeptFrom(deps.db), rejections);
  const minuteRows = minutes.map((m) => m.row);
  // What a source delivered, for the no-data rules, includes the minute data it stores (not minutes turned away).
  const delivered = (kept: readonly MinuteValue[]) => (kept.length === 0 ? rows : [...rows, ...kept.map(({ row: m }) => ({ siteId: m.siteId, parameterId: m.parameterId, period: 'minute', observedAt: m.minuteStart, value: m.value, unit: '', flag: m.flag }))]);

  await ensurePartitions(deps.db, rows.map((r) => r.observedAt), deps.partitions);
  await ensureMinutePartitions(deps.db, minuteRows.map((m) => m.minuteStart), deps.partitions);
  const at = deps.now();
  let counts: StoreCounts & { minutes: number };
  const write = () =>
    inClientTransaction(deps.pool, async (tx) => {
      // The bound again, held: a prune that moved it since the check above has dropped those days meanwhile, and one
      // starting now waits for this transaction, then sees the hours it marks. Deriving an hour again from a few
      // minutes that came after its day was dropped would replace the value derived from the whole hour.
      if (minutes.length > 0) minutes = keepRetained(minutes, await minutesKeptFrom(tx.db, 'share'), rejections);
      const stored = { ...(await storeReadings(tx, rows, input.sourceId)), minutes: await storeMinutes(tx.db, minutes.map((m) => m.row), input.sourceId) };
      if (input.sourceId) await recordSourceSeries(tx.db, input.sourceId, delivered(minutes));
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
  const { minutes: storedMinutes, ...hourly } = counts;
  if (!dryRun) deps.metrics?.countStoredBatch(input.sourceId, { ...hourly, minutes: storedMinutes, rejections });
  return { ...hourly, ...(minuteValues.length > 0 ? { minutes: { stored: storedMinutes, hours: [...new Set(minutes.map((m) => m.hourEnd))].sort() } } : {}), rejected: rejections.length, rejections };
}

/** A turned-away reading's fields, as its quarantine item records them. */
function readingDetail(r: NormalizedReading): Record<string, string> {
  return { site: r.site, parameter: r.parameter, period: r.period, observedAt: r.observedAt, value: r.value, unit: r.unit, flag: r.flag };
}

/** A minute value with the hour it belongs to and the reading it came from (quoted if it is turned away). */
interface MinuteValue {
  row: MinuteRow;
  hourEnd: string;
  reading: NormalizedReading;
}

/** The minute values at or after the retention bound; those before it are added to the rejections. */
function keepRetained(values: MinuteValue[], keptFrom: Date | null, rejections: Rejection[]): MinuteValue[] {
  if (keptFrom === null) return values;
  const bound = keptFrom.toISOString();
  return values.filter((m) => {
    if (m.row.minuteStart >= bound) return true;
    const day = m.row.minuteStart.slice(0, 10);
    const r = m.reading;
    rejections.push({
      code: 'pruned_day',
      reason: `minute data of ${day} (UTC) came after that day's minutes were dropped (envmon partitions prune): the hourly values derived from them stand`,
      raw: JSON.stringify(r),
      detail: readingDetail(r),
    });
    return false;
  });
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
