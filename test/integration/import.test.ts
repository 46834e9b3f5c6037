/** Importing real Beijing data through the full path: idempotent, and bad rows never stop their batch. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncConfig } from '../../db/sync-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import { importRecords } from '../../evaluate/import-records.ts';
import { readCsvFile } from '../../sources/csv-file.ts';
import { loadCsvMapping } from '../../sources/file-formats.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot, testConfig } from '../support/test-service.ts';

const mappingFile = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');
const dongsi = path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv');
const mapping = loadCsvMapping(mappingFile);

let database: TestDatabase;
let parameterIds: ParameterIds;
beforeAll(async () => {
  database = await createTestDatabase();
  parameterIds = await syncConfig(database.db, testConfig({}));
});
afterAll(async () => {
  await database.drop();
});

const deps = () => ({ db: database.db, pool: database.pool, parameterIds, partitions: new Set<string>(), now: () => new Date('2026-11-22T00:00:00Z') });
const count = async (table: 'reading' | 'quarantine' | 'reading_revision') => Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** Non-NA pollutant cells of a Beijing CSV, counted independently of envmon's reader. */
function pollutantCells(file: string): number {
  return readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1)
    .reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);
}

describe('importing the Beijing data', () => {
  it('stores every reading once; importing the same file again changes nothing', async () => {
    const expected = pollutantCells(dongsi);
    const first = await importRecords(readCsvFile(dongsi, mapping), deps(), { sourceId: null, batchSize: 7_000 });
    expect(first).toEqual({ parsed: expected, stored: expected, unchanged: 0, revised: 0, rejected: 0, reasons: {} });
    const snapshot = await database.db.selectFrom('reading').select(['site_id', 'parameter_id', 'observed_at', 'value', 'ingested_at']).orderBy(['site_id', 'parameter_id', 'observed_at']).execute();

    const second = await importRecords(readCsvFile(dongsi, mapping), deps(), { sourceId: null, batchSize: 7_000 });
    expect(second).toEqual({ parsed: expected, stored: 0, unchanged: expected, revised: 0, rejected: 0, reasons: {} });
    const after = await database.db.selectFrom('reading').select(['site_id', 'parameter_id', 'observed_at', 'value', 'ingested_at']).orderBy(['site_id', 'parameter_id', 'observed_at']).execute();
    expect(after).toEqual(snapshot);
    expect(await count('reading_revision')).toBe(0);

    // CO is stored in mg/m³: the 2016-12-31 23:00 row has CO 8100 μg/m³.
    const co = await database.db
      .selectFrom('reading')
      .innerJoin('site', 'site.id', 'reading.site_id')
      .innerJoin('parameter', 'parameter.id', 'reading.parameter_id')
      .select(['reading.value', 'reading.unit'])
      .where('site.code', '=', 'Dongsi')
      .where('parameter.code', '=', 'co')
      .where('reading.observed_at', '=', new Date('2016-12-31T23:00:00+08:00'))
      .executeTakeFirstOrThrow();
    expect(co).toEqual({ value: '8.1', unit: 'mg/m³' });
  });

  it('quarantines malformed rows and bad values with their reasons while the rest of the batch is stored', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-import-'));
    const file = path.join(dir, 'tiantan-damaged.csv');
    const lines = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Tiantan_2016.csv'), 'utf8').trim().split(/\r?\n/).slice(0, 101);
    const header = lines[0] ?? '';
    const good = lines.slice(1);
    const damaged = [
      '1,2016,2,30,5,10,10,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Tiantan"', // 30 February
      '2,2016,3,1,1,10,10,3,17',                                                 // too few cells
      '3,2016,3,1,2,-9999,12,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Tiantan"', // sentinel PM2.5
      '4,2016,3,1,3,-5,12,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Tiantan"',   // negative PM2.5
      '5,2016,3,1,4,7,12,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Atlantis"',  // unknown station
    ];
    writeFileSync(file, [header, ...good.slice(0, 50), ...damaged, ...good.slice(50)].join('\n') + '\n');
    const before = await count('quarantine');

    const summary = await importRecords(readCsvFile(file, mapping), deps(), { sourceId: null });
    const goodReadings = good.reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);
    // Rows 3 and 4 keep their five good values; the unknown station's six readings are all rejected.
    expect(summary.stored).toBe(goodReadings + 5 + 5);
    expect(summary.reasons).toEqual({ malformed: 2, no_data_marker: 1, out_of_range: 1, unknown_site: 6 });
    expect(summary.rejected).toBe(10);

    const quarantined = await database.db.selectFrom('quarantine').select(['code', 'reason', 'raw']).where('id', '>', before).orderBy('id').execute();
    expect(quarantined.map((q) => q.code).sort()).toEqual(['malformed', 'malformed', 'no_data_marker', 'out_of_range', ...Array<string>(6).fill('unknown_site')].sort());
    expect(quarantined.find((q) => q.code === 'malformed' && q.raw.startsWith('2,'))?.reason).toBe('row has 9 cells, header has 18');
    expect(quarantined.find((q) => q.code === 'no_data_marker')?.raw).toBe(damaged[2]);
  });

  it('reports exact counts on a dry run and stores nothing', async () => {
    const guanyuan = path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Guanyuan_2016.csv');
    const before = await count('reading');
    const summary = await importRecords(readCsvFile(guanyuan, mapping), deps(), { sourceId: null, dryRun: true });
    expect(summary.stored).toBe(pollutantCells(guanyuan));
    expect(await count('reading')).toBe(before);
  });

  it('registers a station the file names before any of its readings is stored, whichever lane they are stored in', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-import-'));
    const file = path.join(dir, 'new-station.csv');
    const lines = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Wanshouxigong_2016.csv'), 'utf8').trim().split(/\r?\n/).slice(0, 2001);
    // After the first row, 700 rows without PM2.5, SO2 and CO: the lane of the other three parameters fills and is
    // stored first, while the lane holding the first row's readings is still filling.
    const blank = (line: string, i: number) => (i < 2 || i > 701 ? line : line.split(',').map((c, k) => (k === 5 || k === 7 || k === 9 ? 'NA' : c)).join(','));
    writeFileSync(file, lines.map((l, i) => blank(l, i).replace('"Wanshouxigong"', '"Atlantis-3"')).join('\n') + '\n');
    const registering = { ...mapping, site: { ...mapping.site, register: { kind: 'air_station' as const, area: '北京市' } } };
    const expected = pollutantCells(file);

    // Small batches over two lanes: the station's parameters are stored on both connections, batch after batch.
    const summary = await importRecords(readCsvFile(file, registering), deps(), { sourceId: null, registerSites: true, batchSize: 500, lanes: 2 });
    expect(summary).toEqual({ parsed: expected, stored: expected, unchanged: 0, revised: 0, rejected: 0, reasons: {} });
    const stored = await database.db
      .selectFrom('reading')
      .innerJoin('site', 'site.id', 'reading.site_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('site.code', '=', 'Atlantis-3')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(expected);
  });

  it('envmon import prints the summary as JSON and returns once the data is stored', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url });
    const wanshou = path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Wanshouxigong_2016.csv');
    // A year of history: stored and its windows refreshed (its six pollutants), no rules run.
    const result = await runEnvmon(['import', wanshou, '--format', 'csv', '--mapping', mappingFile, '--no-evaluate', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toEqual({ parsed: pollutantCells(wanshou), stored: pollutantCells(wanshou), unchanged: 0, revised: 0, rejected: 0, reasons: {}, evaluation: { rules: false, series: 6, alerts: { opened: 0, fired: 0, resolved: 0, late: 0 }, failedSites: 0 } });
    const missing = await runEnvmon(['import', wanshou, '--format', 'csv'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('envmon: error: --mapping FILE is required for this format');
  });
});
