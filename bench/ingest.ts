/**
 * bench:ingest — the whole import path against a raw COPY of the same rows, in one run.
 *
 * Data: the Beijing 2016 files shipped in data/, with each station replicated under new codes until the input
 * holds at least 1,000,000 readings. Whole path, in a child process so that its peak RSS is its own: stream the CSV
 * files → column mapping → normalize → validate → store (append path), then refresh the rolling windows of what it
 * stored (as `envmon import` does at its end: ready to evaluate); storing and the windows are also shown apart.
 * Baseline: COPY of exactly the rows the path stored, from a pre-written file, into a table identical to `reading`
 * (same columns, keys, indexes and partitions). Then the same files are imported again (every reading unchanged),
 * the whole path once more. Peak RSS is sampled during each run. The last line is the end-to-end ratio.
 *
 * Uses DATABASE_URL if set, else the local PostgreSQL at 127.0.0.1:5432, else an embedded one; works in a
 * temporary database that is dropped at the end.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../config/load-config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { syncConfig } from '../db/sync-config.ts';
import type { ImportSummary } from '../evaluate/import-records.ts';
import { createLogger } from '../lib/logger.ts';
import { readCsvFile } from '../sources/csv-file.ts';
import { withScratchDatabase } from '../test/support/postgres-server.ts';

const TARGET = 1_000_000;
const root = path.resolve(import.meta.dirname, '..');
const log = createLogger({ level: 'warn', write: (l) => process.stderr.write(l + '\n') });

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'envmon-bench-'));
  try {
    await withScratchDatabase('envmon_bench', log, (database) => measure(database, work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(database: DatabaseHandle & { url: string }, work: string): Promise<void> {
  const config = loadConfig({}, root);
  const parameterIds = await syncConfig(database.db, config);
  const replay = config.sources.find((s) => s.kind === 'replay-csv');
  if (replay?.kind !== 'replay-csv' || !replay.mappingRules) throw new Error('the default configuration has no replay source');

  // Input: the shipped station files, replicated under new station codes.
  const { files, readings, stations } = await replicate(replay.files, work);
  await database.db
    .insertInto('site')
    .values(stations.map((code) => ({ code, name_zh: code, name_en: code, kind: 'air_station', area: 'bench' })))
    .execute();
  process.stdout.write(`input: ${files.length} CSV files, ${stations.length} stations, ${readings.toLocaleString('en')} readings\n`);

  // The identical table and the COPY file of the rows the full path will store.
  await createIdenticalTable(database.db);
  const siteIds = new Map((await database.db.selectFrom('site').select(['id', 'code']).execute()).map((s) => [s.code, s.id]));
  const copyFile = path.join(work, 'rows.tsv');
  await writeCopyFile(files, replay.mappingRules, siteIds, parameterIds, copyFile);

  // Baseline: raw COPY.
  const copyStart = performance.now();
  const client = await database.pool.connect();
  try {
    await pipeline(createReadStream(copyFile), client.query(copyFrom('copy reading_copy (site_id, parameter_id, period, observed_at, value, unit, flag, source_id) from stdin')));
  } finally {
    client.release();
  }
  const copySeconds = (performance.now() - copyStart) / 1000;

  // Full path, twice: new data (append), then the same files again (every reading unchanged, merge).
  const job = JSON.stringify({ databaseUrl: database.url, files, mapping: replay.mappingRules });
  const first = runChild(job);
  const second = runChild(job);
  const summary = first.summary;

  const copied = Number((await sql<{ n: string }>`select count(*) as n from reading_copy`.execute(database.db)).rows[0]?.n ?? 0);
  if (copied !== summary.stored) throw new Error(`baseline copied ${copied} rows but the full path stored ${summary.stored}`);
  if (second.summary.unchanged !== summary.stored || second.summary.stored !== 0) throw new Error('re-import changed data');

  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en').padStart(9)} readings/s`;
  const line = (label: string, seconds: number, n: number, extra = '') => process.stdout.write(`${label.padEnd(34)}${seconds.toFixed(2).padStart(6)} s  ${rate(n, seconds)}${extra}\n`);
  const rss = (bytes: number) => `  peak RSS ${Math.round(bytes / 2 ** 20)} MB`;
  const endToEnd = first.seconds + first.windowsSeconds;
  const again = second.seconds + second.windowsSeconds;
  process.stdout.write(`the import path ran ${first.code === 'compiled' ? 'compiled (dist/, as envmon import runs it)' : 'from the sources through tsx (no current build: npm run build; its loader adds some 45 MB of RSS)'}\n`);
  process.stdout.write(`whole path stored ${summary.stored.toLocaleString('en')}, rejected ${summary.rejected} ${JSON.stringify(summary.reasons)}; windows stored ${first.windows.toLocaleString('en')}\n`);
  line('raw COPY (baseline)', copySeconds, copied);
  line('  storing (parse … store)', first.seconds, summary.parsed);
  process.stdout.write(`${'  then the rolling windows'.padEnd(34)}${first.windowsSeconds.toFixed(2).padStart(6)} s  (8-h/24-h of each series' last week, day/month/year of all ${stations.length * 6} series)\n`);
  line('import, end to end', endToEnd, summary.parsed, rss(first.peakRssBytes));
  line('re-import, all unchanged', again, second.summary.parsed, rss(second.peakRssBytes));
  process.stdout.write(`re-import/copy ratio: ${(copySeconds / again).toFixed(2)}\n`);
  process.stdout.write(`ingest/copy ratio: ${(copySeconds / endToEnd).toFixed(2)} (end to end)\n`);
}

async function replicate(sourceFiles: readonly string[], dir: string): Promise<{ files: string[]; readings: number; stations: string[] }> {
  const perCopy = sourceFiles.map((f) => {
    const lines = readFileSync(f, 'utf8').trim().split(/\r?\n/);
    const readings = lines.slice(1).reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);
    return { lines, readings };
  });
  const readingsPerRound = perCopy.reduce((n, f) => n + f.readings, 0);
  const rounds = Math.ceil(TARGET / readingsPerRound);
  const files: string[] = [];
  const stations: string[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const { lines } of perCopy) {
      const station = /"([^"]+)"$/.exec(lines[1] ?? '')?.[1] ?? 'X';
      const code = `${station}-r${r}`;
      stations.push(code);
      const file = path.join(dir, `${code}.csv`);
      const out = createWriteStream(file);
      out.write(lines.map((l, i) => (i === 0 ? l : l.replace(/"[^"]+"$/, `"${code}"`))).join('\n') + '\n');
      out.end();
      await once(out, 'finish');
      files.push(file);
    }
  }
  return { files, readings: readingsPerRound * rounds, stations };
}

async function writeCopyFile(files: readonly string[], mapping: Parameters<typeof readCsvFile>[1], siteIds: Map<string, number>, parameterIds: ReadonlyMap<string, number>, target: string): Promise<void> {
  // The same readings the full path stores, written by the full path's own normalizer, so both store identical rows.
  const { normalizeRecord } = await import('../ingest/normalize.ts');
  const out = createWriteStream(target);
  const now = new Date();
  for (const file of files) {
    for await (const record of readCsvFile(file, mapping)) {
      for (const r of normalizeRecord(record, { now, futureToleranceMs: 600_000 }).readings) {
        if (!out.write(`${siteIds.get(r.site)}\t${parameterIds.get(r.parameter)}\t${r.period}\t${r.observedAt}\t${r.value}\t${r.unit}\t${r.flag}\tbench\n`)) await once(out, 'drain');
      }
    }
  }
  out.end();
  await once(out, 'finish');
}

async function createIdenticalTable(db: DatabaseHandle['db']): Promise<void> {
  // Same columns, defaults, constraints and indexes as reading, partitioned the same way.
  await sql`create table reading_copy (like reading including all) partition by range (observed_at)`.execute(db);
  for (let m = 0; m < 14; m++) {
    const from = new Date(Date.UTC(2015, 11 + m, 1)).toISOString();
    const to = new Date(Date.UTC(2015, 12 + m, 1)).toISOString();
    await sql.raw(`create table reading_copy_${m} partition of reading_copy for values from ('${from}') to ('${to}')`).execute(db);
  }
}

interface ChildResult {
  /** Storing (parse … store), then the windows, s. */
  seconds: number;
  windowsSeconds: number;
  /** Rows in window_aggregate after the run. */
  windows: number;
  peakRssBytes: number;
  summary: ImportSummary;
  /** Which code ran: the compiled build (as `envmon import` runs it) or the sources through tsx. */
  code: 'compiled' | 'sources';
}

/** Node options for the measured process only, e.g. BENCH_CHILD_FLAGS='--cpu-prof --cpu-prof-dir=prof' to profile the path. */
const childFlags = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter((f) => f !== '');

function runChild(job: string): ChildResult {
  const result = spawnSync(process.execPath, [...childFlags, path.join(import.meta.dirname, 'ingest-child.mjs')], { input: job, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`ingest run failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}


await main();
