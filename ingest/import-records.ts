/**
 * Streams source records into the database in batches: normalize, validate, store. Parsing of the next batch
 * overlaps the storing of the previous one (PostgreSQL works on the other core), and at most two batches are in
 * memory at once, so a file of any size runs in bounded memory.
 */
import { registerFeedSites } from '../db/repositories/sites.repository.ts';
import type { SourceRecord, SiteMetadata } from '../sources/source-adapter.ts';
import { normalizeRecord, type NormalizedReading, type Rejection } from './normalize.ts';
import { storeBatch, type BatchResult, type SiteIdCache, type StoreDeps } from './store-batch.ts';

export interface ImportSummary {
  /** Readings read from the input, plus records that could not be read at all. */
  parsed: number;
  stored: number;
  unchanged: number;
  revised: number;
  rejected: number;
  /** Rejections by category. */
  reasons: Record<string, number>;
}

export interface ImportOptions {
  sourceId: string | null;
  /** Store nothing: every batch runs in a transaction that is rolled back, so the counts are exact. */
  dryRun?: boolean;
  /** Register unknown sites from the station metadata the feed carries. */
  registerSites?: boolean;
  /** Readings per batch. */
  batchSize?: number;
  /** Interval ends may lie this far past now (station clock drift), in ms. */
  futureToleranceMs?: number;
  onProgress?(summary: Readonly<ImportSummary>): void;
}

export async function importRecords(records: AsyncIterable<SourceRecord>, deps: StoreDeps, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { parsed: 0, stored: 0, unchanged: 0, revised: 0, rejected: 0, reasons: {} };
  const batchSize = options.batchSize ?? 50_000;
  const siteIds: SiteIdCache = new Map();
  let readings: NormalizedReading[] = [];
  let rejections: Rejection[] = [];
  let sites = new Map<string, SiteMetadata>();
  let inFlight: Promise<void> = Promise.resolve();

  const flush = () => {
    const batch = { readings, rejections, sites };
    readings = [];
    rejections = [];
    sites = new Map();
    const previous = inFlight;
    inFlight = (async () => {
      await previous;
      if (options.registerSites && batch.sites.size > 0 && !options.dryRun) await registerFeedSites(deps.db, [...batch.sites.values()]);
      const result = await storeBatch(deps, { sourceId: options.sourceId, readings: batch.readings, rejections: batch.rejections }, siteIds, options.dryRun ?? false);
      add(summary, result);
      options.onProgress?.(summary);
    })();
    // Surfaced by the next await of inFlight; this only keeps the rejection from being reported as unhandled.
    inFlight.catch(() => undefined);
    return inFlight;
  };

  const now = deps.now();
  for await (const record of records) {
    const result = normalizeRecord(record, { now, futureToleranceMs: options.futureToleranceMs ?? 10 * 60_000 });
    summary.parsed += record.problem ? 1 : record.readings.length;
    for (const r of result.readings) readings.push(r);
    for (const r of result.rejections) rejections.push(r);
    if (record.site && !siteIds.has(record.site.code)) sites.set(record.site.code, record.site);
    if (readings.length + rejections.length >= batchSize) {
      // At most one batch is being stored while the next one is parsed.
      await inFlight;
      void flush();
    }
  }
  await inFlight;
  if (readings.length + rejections.length > 0) await flush();
  return summary;
}

function add(summary: ImportSummary, result: BatchResult): void {
  summary.stored += result.stored;
  summary.unchanged += result.unchanged;
  summary.revised += result.revised;
  summary.rejected += result.rejected;
  for (const r of result.rejections) summary.reasons[r.code] = (summary.reasons[r.code] ?? 0) + 1;
}
