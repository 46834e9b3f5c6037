/**
 * Files that try to break an import: NUL bytes and bytes that are not UTF-8 in an HJ 212 capture, tens of
 * thousands of bad rows in a CSV, and flags that do not apply to a format. An import never fails as a whole
 * because of bad records: they are quarantined (their exact bytes kept), the good ones stored.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncConfig } from '../../db/sync-config.ts';
import { importRecords } from '../../evaluate/import-records.ts';
import { replayQuarantined } from '../../evaluate/replay-quarantine.ts';
import { readRecordsFromFile } from '../../sources/file-formats.ts';
import { hj212CrcHex } from '../../sources/hj212/crc16.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  env = cleanEnv({ DATABASE_URL: database.url });
  dir = mkdtempSync(path.join(tmpdir(), 'envmon-hostile-'));
});
afterAll(async () => {
  await database.drop();
});

/** An HJ 212 frame around a data segment given as bytes; `crc` overrides the checksum. */
function frameBytes(segment: Buffer, crc?: string): Buffer {
  return Buffer.concat([Buffer.from(`##${String(segment.length).padStart(4, '0')}`), segment, Buffer.from(`${crc ?? hj212CrcHex(segment)}\r\n`)]);
}

const quarantined = (after: number) =>
  database.db.selectFrom('quarantine').select(['id', 'code', 'reason', 'raw', 'raw_bytes', 'detail']).where('id', '>', after).orderBy('id').execute();
const lastQuarantineId = async () => Number((await database.db.selectFrom('quarantine').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
const json = async <T>(args: string[]): Promise<T> => {
  const result = await runEnvmon(args, env);
  if (result.code !== 0) throw new Error(`envmon ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

describe('an HJ 212 capture with NUL bytes and bytes that are not UTF-8', () => {
  it('stores the good packets, quarantines the bad ones with their exact bytes, and shows them legibly', async () => {
    // Ten hourly uploads of 磁窑河武良 (the MN is taken as the site code: no --source), NH3-N and pH each.
    const segment = (h: number, nh3: Buffer, note = Buffer.alloc(0)) =>
      Buffer.concat([Buffer.from(`QN=202611221${h}0000000;ST=21;CN=2061;PW=123456;MN=JC-SW-WULIANG;Flag=4;`), note, Buffer.from(`CP=&&DataTime=202611220${h}0000;w21003-Avg=`), nh3, Buffer.from(',w21003-Flag=N;w01001-Avg=7.86,w01001-Flag=N&&')]);
    const gbk = Buffer.from([0x4e, 0x6f, 0x74, 0x65, 0x3d, 0xd6, 0xd0, 0xce, 0xc4, 0x3b]); // "Note=中文;" in GBK
    const frames: Buffer[] = [];
    for (let h = 0; h < 10; h++) {
      if (h === 5) frames.push(frameBytes(segment(h, Buffer.from([0x31, 0x2e, 0x00, 0x35])))); // value "1.<NUL>5", checksum right
      else if (h === 7) frames.push(frameBytes(segment(h, Buffer.from('1.7'), gbk))); // GBK text, checksum over its bytes
      else if (h === 8) frames.push(frameBytes(segment(h, Buffer.from('1.8'), gbk), '0000')); // GBK text, wrong checksum
      else frames.push(frameBytes(segment(h, Buffer.from(`1.${h}`))));
    }
    const file = path.join(dir, 'capture.hj212');
    writeFileSync(file, Buffer.concat([Buffer.from('log start\x00\x00\r\n'), ...frames]));
    const before = await lastQuarantineId();

    const summary = await json<Record<string, unknown>>(['import', file, '--format', 'hj212', '--no-evaluate', '--json']);
    // Frames 0–4, 6, 7, 9: two readings each; frame 5 keeps its pH; frame 8 is one unreadable record. The two series
    // stored (NH3-N and pH of one section) have their windows refreshed.
    expect(summary).toEqual({ parsed: 19, stored: 17, unchanged: 0, revised: 0, rejected: 2, reasons: { not_a_number: 1, checksum: 1 }, evaluation: { rules: false, series: 2, alerts: { opened: 0, fired: 0, resolved: 0, late: 0 }, failedSites: 0 } });

    const items = await quarantined(before);
    const nul = items.find((i) => i.code === 'not_a_number');
    const checksum = items.find((i) => i.code === 'checksum');
    expect(nul?.reason).toBe('nh3_n: "1.\\x005" is not a number');
    expect(nul?.detail).toMatchObject({ parameter: 'nh3_n', value: '1.\\x005' });
    expect(nul?.raw).toContain('w21003-Avg=1.\\x005,');
    expect(nul?.raw).toContain('PW=***');
    // The exact bytes: the data segment as received, password masked.
    const masked = (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace('PW=123456', 'PW=***'), 'latin1');
    // The exact bytes: the data segment as received, password masked.
    expect(nul?.raw_bytes).toEqual(masked(segment(5, Buffer.from([0x31, 0x2e, 0x00, 0x35]))));
    expect(checksum?.raw).toContain('Note=\\xD6\\xD0\\xCE\\xC4;');
    expect(checksum?.raw_bytes).toEqual(masked(frames[8] ?? Buffer.alloc(0)));

    const shown = await runEnvmon(['quarantine', 'show', String(nul?.id)], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('w21003-Avg=1.\\x005,w21003-Flag=N');
    expect(shown.stdout).not.toContain('\u0000');
    const shownJson = await json<{ raw: string; rawBase64: string | null }>(['quarantine', 'show', String(nul?.id), '--json']);
    expect(Buffer.from(shownJson.rawBase64 ?? '', 'base64')).toEqual(masked(segment(5, Buffer.from([0x31, 0x2e, 0x00, 0x35]))));
  });

  it('replays a quarantined reading whose input held a NUL byte once its cause is gone', async () => {
    const config = testConfig({});
    const parameterIds = await syncConfig(database.db, config);
    // A reading from 10:00 Beijing time imported at 08:00 is in the future; replayed the next day it stores.
    const segment = Buffer.from('QN=20261123100000000;ST=21;CN=2061;PW=1;MN=JC-SW-WULIANG;Flag=4;X=\x00;CP=&&DataTime=20261123090000;w21003-Avg=2.5,w21003-Flag=N&&');
    const file = path.join(dir, 'future.hj212');
    writeFileSync(file, frameBytes(segment));
    const before = await lastQuarantineId();
    const deps = (now: string) => ({ db: database.db, pool: database.pool, parameterIds, partitions: new Set<string>(), now: () => new Date(now) });
    const summary = await importRecords(readRecordsFromFile(file, 'hj212', {}), deps('2026-11-23T00:00:00Z'), { sourceId: null });
    expect(summary.reasons).toEqual({ future_time: 1 });

    const items = await database.db.selectFrom('quarantine').selectAll().where('id', '>', before).execute();
    expect(items.map((i) => i.raw.includes('X=\\x00;'))).toEqual([true]);
    const outcomes = await replayQuarantined(deps('2026-11-24T00:00:00Z'), items, null);
    expect(outcomes.map((o) => o.outcome)).toEqual(['stored']);
  });
});

describe('a CSV with more rejected rows than one statement can carry', () => {
  it('quarantines every one of 20,000 bad rows and stores the good ones', async () => {
    const source = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Guanyuan_2016.csv'), 'utf8').trim().split(/\r?\n/);
    const header = source[0] ?? '';
    const good = source.slice(1, 11);
    const bad = Array.from({ length: 20_000 }, (_, i) => `${i},2016,1,1,1,bad`);
    const file = path.join(dir, 'many-bad.csv');
    writeFileSync(file, [header, ...bad.slice(0, 10_000), ...good, ...bad.slice(10_000)].join('\n') + '\n');
    const goodReadings = good.reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);
    const before = await lastQuarantineId();

    const summary = await json<{ stored: number; rejected: number; reasons: Record<string, number> }>(['import', file, '--format', 'csv', '--mapping', path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), '--json']);
    expect(summary).toMatchObject({ stored: goodReadings, rejected: 20_000, reasons: { malformed: 20_000 } });
    const rows = await database.db.selectFrom('quarantine').select((eb) => eb.fn.countAll().as('n')).where('id', '>', before).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(20_000);
  });
});

describe('a CSV row longer than a line may be', () => {
  it('quarantines the row, saying it was cut, and stores the rows around it', async () => {
    const source = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Guanyuan_2016.csv'), 'utf8').trim().split(/\r?\n/);
    const [header = '', first = '', second = ''] = source;
    // A well-formed row whose last column (the station, unquoted) is 3 MiB long: past the 1 MiB a line may hold, so
    // it is cut — and what is left of it must not pass for a whole row.
    const long = `${second.slice(0, second.lastIndexOf(','))},${'x'.repeat(3 * 2 ** 20)}`;
    const file = path.join(dir, 'long-row.csv');
    writeFileSync(file, [header, first, long, source[3] ?? ''].join('\n') + '\n');
    const readingsOf = (line: string) => line.split(',').slice(5, 11).filter((c) => c !== 'NA').length;
    const before = await lastQuarantineId();
    const summary = await json<{ stored: number; unchanged: number; rejected: number; reasons: Record<string, number> }>(['import', file, '--format', 'csv', '--mapping', path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), '--no-evaluate', '--json']);
    // The rows around it are stored (or were already, by another test of this file: unchanged).
    expect(summary.stored + summary.unchanged).toBe(readingsOf(first) + readingsOf(source[3] ?? ''));
    expect(summary).toMatchObject({ rejected: 1, reasons: { malformed: 1 } });
    const [item] = await database.db.selectFrom('quarantine').select(['code', 'reason']).where('id', '>', before).execute();
    expect(item).toEqual({ code: 'malformed', reason: `line longer than 1048576 bytes (${Buffer.byteLength(long) - 2 ** 20} more dropped)` });
  });
});

describe('import flags', () => {
  const csvLines = (station: string) =>
    readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv'), 'utf8').trim().split(/\r?\n/).slice(0, 25).map((l) => l.replace('"Dongsi"', `"${station}"`));

  it('--register-sites registers the stations of a CSV as sites of the kind its mapping declares', async () => {
    const file = path.join(dir, 'new-station.csv');
    const lines = csvLines('Atlantis-1');
    writeFileSync(file, lines.join('\n') + '\n');
    const mapping = path.join(dir, 'with-kind.yaml');
    writeFileSync(mapping, readFileSync(path.join(repoRoot, 'config/mappings/beijing-multisite.yaml'), 'utf8').replace('  column: station            # e.g. Dongsi', '  column: station\n  register: { kind: air_station, area: 北京市 }'));
    const expected = lines.slice(1).reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);

    const summary = await json<{ stored: number; rejected: number }>(['import', file, '--format', 'csv', '--mapping', mapping, '--register-sites', '--json']);
    expect(summary).toMatchObject({ stored: expected, rejected: 0 });
    const site = await database.db.selectFrom('site').select(['code', 'kind', 'area', 'origin']).where('code', '=', 'Atlantis-1').executeTakeFirst();
    expect(site).toEqual({ code: 'Atlantis-1', kind: 'air_station', area: '北京市', origin: 'feed' });
  });

  it('refuses --register-sites when the CSV mapping does not say what kind of site its stations are', async () => {
    const file = path.join(dir, 'other-station.csv');
    writeFileSync(file, csvLines('Atlantis-2').join('\n') + '\n');
    const mappingFile = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');
    const result = await runEnvmon(['import', file, '--format', 'csv', '--mapping', mappingFile, '--register-sites', '--json'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`envmon: error: --register-sites: the mapping ${mappingFile} does not declare the kind of site its stations are (site.register: { kind, area })`);
    const site = await database.db.selectFrom('site').select('code').where('code', '=', 'Atlantis-2').executeTakeFirst();
    expect(site).toBeUndefined();
  });

  it('refuses flags that would do nothing with the format given', async () => {
    const csv = path.join(dir, 'flags.csv');
    writeFileSync(csv, csvLines('Dongsi').join('\n') + '\n');
    const hj212 = path.join(dir, 'flags.hj212');
    writeFileSync(hj212, '');
    const mapping = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');
    const cases: [string[], string][] = [
      [['import', csv, '--format', 'csv', '--mapping', mapping, '--site', 'Dongsi'], '--site applies only to --format openaq'],
      [['import', hj212, '--format', 'hj212', '--mapping', mapping], '--mapping applies only to --format csv and json'],
      [['import', hj212, '--format', 'hj212', '--register-sites'], '--register-sites applies only to formats that describe their stations (cnemc; csv with a mapping that declares site.register)'],
      [['import', csv, '--format', 'cnemc', '--mapping', mapping], '--mapping applies only to --format csv and json'],
    ];
    for (const [args, message] of cases) {
      const result = await runEnvmon(args, env);
      expect({ args: args.slice(2).join(' '), code: result.code, stderr: result.stderr.trim() }).toEqual({ args: args.slice(2).join(' '), code: 1, stderr: `envmon: error: ${message}` });
    }
  });
});
