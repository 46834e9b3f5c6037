/**
 * Streams source records into the database in batches: normalize, validate, store; then finishes the evaluation
 * every stored batch owes (evaluate/finish-pending.ts): the rolling windows and, when asked, the rules.
 *
 * Readings are spread over a few lanes by series (site and parameter); each lane stores its batches one after
 * another on its own connection, so PostgreSQL works on one lane's batch while another is being filled and parsing
 * never waits for a commit. All readings of a series go through the same lane, so for any key the later reading is
 * stored later, as in the input. Memory stays bounded: per lane, one batch filling and one being stored.
 */
import type { AppConfig } from '../config/load-config.ts';
import { registerFeedSites } from '../db/repositories/sites.repository.ts';
import type { AlertCounts } from './apply-observations.ts';
import { finishPending } from './finish-pending.ts';
import type { SiteMetadata } from '../db/repositories/sites.repository.ts';
import type { SourceRecord } from '../sources/source-adapter.ts';
import { normalizeRecord, type NormalizedReading, type Rejection } from '../ingest/normalize.ts';
import { storeBatch, type BatchResult, type SiteIdCache, type StoreDeps } from '../ingest/store-batch.ts';
import { TouchedSpans, type TouchedSpan } from '../ingest/touched-series.ts';
import type { Logger } from '../lib/logger.ts';

export interface ImportSummary {
  /** Readings read from the input, plus records that could not be read at all. */
  parsed: number;
  stored: number;
  unchanged: number;
  revised: number;
  rejected: number;
  /** Rejections by category. */
  reasons: Record<string, number>;
  /** What finishing the evaluation did (when the import was given the configuration). */
  evaluation?: ImportEvaluation;
}

export interface ImportEvaluation {
  /** Whether the rules judged the imported hours (false: bulk history, windows only). */
  rules: boolean;
  /** Series whose rolling windows were refreshed. */
  series: number;
  alerts: AlertCounts;
  /** Sites whose windows and rules could not be finished (an error, logged): left pending for the next run. */
  failedSites: number;
}

export interface ImportOptions {
  sourceId: string | null;
  /** Store nothing: every batch runs in a transaction that is rolled back, so the counts are exact. */
  dryRun?: boolean;
  /** Register unknown sites from the station metadata the feed carries. */
  registerSites?: boolean;
  /** Readings per batch. */
  batchSize?: number;
  /** Batches stored at once, each on its own connection (the pool must have at least this many). */
  lanes?: number;
  /** Interval ends may lie this far past now, in ms; default FUTURE_TOLERANCE_MS. */
  futureToleranceMs?: number;
  /** Record batches as the source's latest run (false for backfills of old data). */
  recordHealth?: boolean;
  /**
   * Have the rules judge the stored hours, as pulled data is (late data at its own times). Default false: the
   * rolling windows are refreshed and no alert opens (bulk history).
   */
  evaluate?: boolean;
  /**
   * The configuration whose rules run when the import finishes what is pending — its own batches and any left
   * behind by an interrupted run; without it only windows-only work is finished (hours to be judged wait for a run
   * that has the rules: the service's recovery, or the next import given the configuration).
   */
  config?: AppConfig;
  /** Where a site whose evaluation failed is reported. */
  log?: Logger;
  /** Finish the evaluation of what was stored (and anything left pending) at the end (default true). */
  refreshAggregates?: boolean;
  /** Told what was stored, per site and parameter, at the end (for a caller that refreshes the windows itself). */
  onStored?(spans: Map<string, TouchedSpan[]>): void;
  onProgress?(summary: Readonly<ImportSummary>): void;
}

interface Lane {
  readings: NormalizedReading[];
  rejections: Rejection[];
  sites: Map<string, SiteMetadata>;
  inFlight: Promise<void>;
}

export async function importRecords(records: AsyncIterable<SourceRecord>, deps: StoreDeps, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { parsed: 0, stored: 0, unchanged: 0, revised: 0, rejected: 0, reasons: {} };
  const touched = new TouchedSpans();
  const batchSize = options.batchSize ?? 25_000;
  const siteIds: SiteIdCache = new Map();
  const lanes: Lane[] = Array.from({ length: Math.max(1, options.lanes ?? 2) }, () => ({ readings: [], rejections: [], sites: new Map(), inFlight: Promise.resolve() }));
  const firstLane: Lane = { readings: [], rejections: [], sites: new Map(), inFlight: Promise.resolve() };
  lanes[0] = firstLane;
  // Lanes are chosen per series (site and parameter), not per site: a file usually holds one station, and with
  // lanes per site its whole input would wait on a single connection while the others idle.
  const laneOfSeries = new Map<string, Map<string, Lane>>();
  let seriesCount = 0;
  const laneFor = (site: string, parameter: string): Lane => {
    let ofSite = laneOfSeries.get(site);
    if (!ofSite) laneOfSeries.set(site, (ofSite = new Map<string, Lane>()));
    let lane = ofSite.get(parameter);
    if (!lane) {
      lane = lanes[seriesCount++ % lanes.length] ?? firstLane;
      ofSite.set(parameter, lane);
    }
    return lane;
  };

  const flush = async (lane: Lane): Promise<void> => {
    // The lane's previous batch must be stored before this one starts: per key, input order is kept.
    await lane.inFlight;
    const batch = { readings: lane.readings, rejections: lane.rejections, sites: lane.sites };
    lane.readings = [];
    lane.rejections = [];
    lane.sites = new Map();
    lane.inFlight = (async () => {
      if (options.registerSites && batch.sites.size > 0 && !options.dryRun) await registerFeedSites(deps.db, [...batch.sites.values()]);
      const input = { sourceId: options.sourceId, readings: batch.readings, rejections: batch.rejections, recordHealth: options.recordHealth ?? true, runRules: options.evaluate ?? false };
      const result = await storeBatch(deps, input, siteIds, options.dryRun ?? false);
      if (!options.dryRun && result.stored + result.revised > 0) touched.add(batch.readings);
      add(summary, result);
      options.onProgress?.(summary);
    })();
    // Surfaced by the next await of inFlight; this only keeps it from being reported as unhandled meanwhile.
    lane.inFlight.catch(() => undefined);
  };

  const now = deps.now();
  const normalizeOptions = { now, ...(options.futureToleranceMs === undefined ? {} : { futureToleranceMs: options.futureToleranceMs }) };
  for await (const record of records) {
    const result = normalizeRecord(record, normalizeOptions);
    summary.parsed += record.problem ? 1 : record.readings.length;
    // A site to register goes with every batch that holds one of its readings: each lane stores on its own.
    const site = record.site && !siteIds.has(record.site.code) ? record.site : undefined;
    for (const r of result.readings) {
      const lane = laneFor(r.site, r.parameter);
      lane.readings.push(r);
      if (site) lane.sites.set(site.code, site);
    }
    for (const r of result.rejections) firstLane.rejections.push(r);
    if (site && result.readings.length === 0) firstLane.sites.set(site.code, site);
    for (const lane of lanes) if (lane.readings.length + lane.rejections.length >= batchSize) await flush(lane);
  }
  for (const lane of lanes) if (lane.readings.length + lane.rejections.length > 0) await flush(lane);
  await Promise.all(lanes.map((lane) => lane.inFlight));
  if (touched.size > 0) options.onStored?.(touched.spans());
  // Every stored batch left a windows-pending mark; they are paid once at the end, merged per series: one pass over
  // a long span is far cheaper than a refresh per batch (measured on a year of four stations: 24 s per batch against
  // 4 s for the import). Marks an earlier, interrupted import left are paid with them — even when this run stored
  // nothing new.
  if (!options.dryRun && (options.refreshAggregates ?? true)) {
    // One site whose evaluation fails (a fault, a statement timeout) must not keep the others from being finished:
    // it stays pending, counted in the summary, for the next import, the service's recovery or aggregates rebuild.
    const finished = await finishPending({ db: deps.db, parameterIds: deps.parameterIds, config: options.config ?? null, now: () => deps.now(), ...(options.log ? { log: options.log } : {}) }, { wait: true, isolateFailures: true });
    if (options.config) summary.evaluation = { rules: options.evaluate ?? false, series: finished.series, alerts: finished.alerts, failedSites: finished.failed };
  }
  return summary;
}

function add(summary: ImportSummary, result: BatchResult): void {
  summary.stored += result.stored;
  summary.unchanged += result.unchanged;
  summary.revised += result.revised;
  summary.rejected += result.rejected;
  for (const r of result.rejections) summary.reasons[r.code] = (summary.reasons[r.code] ?? 0) + 1;
}
