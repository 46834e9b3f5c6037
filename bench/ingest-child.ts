/**
 * The whole import path as its own process, so that its peak RSS is the path's own: reads the CSV files
 * named on stdin (JSON), stores them, then refreshes the rolling windows of what it stored (as `envmon import`
 * does at its end), and prints {seconds, windowsSeconds, windows, peakRssBytes, summary} as JSON.
 */
import { readFileSync } from 'node:fs';
import { connectDatabase } from '../db/connect.ts';
import { loadParameterIds } from '../db/repositories/parameters.repository.ts';
import { refreshChangedSeries } from '../evaluate/evaluate-changes.ts';
import { importRecords } from '../ingest/import-records.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import { csvMappingSchema } from '../config/schema.ts';
import { readCsvFile } from '../sources/csv-file.ts';

interface Job {
  databaseUrl: string;
  files: string[];
  mapping: unknown;
}

const job = JSON.parse(readFileSync(0, 'utf8')) as Job;
const mapping = csvMappingSchema.parse(job.mapping);
const database = connectDatabase(job.databaseUrl, { max: 4 });
try {
  const deps = { db: database.db, pool: database.pool, parameterIds: await loadParameterIds(database.db), partitions: new Set<string>(), now: () => new Date() };
  // memoryUsage.rss() alone: the full memoryUsage() also gathers V8's heap statistics, 100 times a second.
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  let stored = new Map<string, TouchedSpan[]>();
  const started = performance.now();
  const summary = await importRecords(
    (async function* () {
      for (const file of job.files) yield* readCsvFile(file, mapping);
    })(),
    deps,
    // The windows are refreshed below, timed apart from storing.
    { sourceId: 'bench', refreshAggregates: false, onStored: (spans) => (stored = spans), ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}) },
  );
  const seconds = (performance.now() - started) / 1000;
  const windowsStarted = performance.now();
  if (stored.size > 0) await refreshChangedSeries(deps.db, stored, deps.parameterIds);
  const windowsSeconds = (performance.now() - windowsStarted) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const windows = Number((await database.db.selectFrom('window_aggregate').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  process.stdout.write(JSON.stringify({ seconds, windowsSeconds, windows, peakRssBytes: peak, summary }));
} finally {
  await database.close();
}
