/**
 * The whole import path as its own process, so that its peak RSS is the path's own: reads the CSV files
 * named on stdin (JSON), stores them, then refreshes the rolling windows of what it stored (as `envmon import`
 * does at its end), and prints {seconds, windowsSeconds, windows, peakRssBytes, summary, code} as JSON.
 *
 * It runs the code as `envmon import` does: the compiled build in dist/ when that is current (bin/build-stamp.mjs),
 * else the sources through tsx — whose loader alone holds some 45 MB more — and says which (`code`). Plain
 * JavaScript for that reason: a TypeScript file would need the loader whichever code it then ran.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { buildState } from '../bin/build-stamp.mjs';

const root = path.resolve(import.meta.dirname, '..');
const compiled = buildState(root) === 'current';
if (!compiled) (await import('tsx/esm/api')).register();
/** A module of envmon, compiled or from the sources. */
const load = (name) => import(compiled ? path.join(root, 'dist', `${name}.js`) : path.join(root, `${name}.ts`));

const [{ connectDatabase }, { loadParameterIds }, { refreshChangedSeries }, { importRecords }, { csvMappingSchema }, { readCsvFile }] = await Promise.all([
  load('db/connect'),
  load('db/repositories/parameters.repository'),
  load('evaluate/evaluate-changes'),
  load('evaluate/import-records'),
  load('config/schema'),
  load('sources/csv-file'),
]);

const job = JSON.parse(readFileSync(0, 'utf8'));
const mapping = csvMappingSchema.parse(job.mapping);
const database = connectDatabase(job.databaseUrl, { max: 4 });
try {
  const deps = { db: database.db, pool: database.pool, parameterIds: await loadParameterIds(database.db), partitions: new Set(), now: () => new Date() };
  // memoryUsage.rss() alone: the full memoryUsage() also gathers V8's heap statistics, 100 times a second.
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  let stored = new Map();
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
  process.stdout.write(JSON.stringify({ seconds, windowsSeconds, windows, peakRssBytes: peak, summary, code: compiled ? 'compiled' : 'sources' }));
} finally {
  await database.close();
}
