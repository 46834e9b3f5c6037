/**
 * The kept check of the configuration files (config/config-cache.ts) gives what a fresh check gives: it is used only
 * while the files, the code and the working folder are as they were, a damaged cache file is ignored, the problems
 * reported are word for word a fresh check's, and no credential from the environment is stored. A kept check is told
 * apart from a fresh one by editing the cache file behind the check's back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_FILE, checkConfigKept } from '../../config/config-cache.ts';
import { formatProblems } from '../../config/config-error.ts';
import { checkConfig } from '../../config/load-config.ts';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const base = [
  'sites:',
  '  - { code: AIR-1, nameZh: 城区, nameEn: Town, kind: air_station, area: 甲县 }',
  '  - { code: RIVER-1, nameZh: 河一, nameEn: River one, kind: surface_water, waterBody: river, area: 乙县 }',
  'sources:',
  '  - id: rp',
  '    kind: replay-csv',
  '    name: Replay',
  '    schedule: "*/5 * * * *"',
  '    files: [data/dongsi.csv]',
  '    mapping: mappings/beijing.yaml',
  '    loop: { start: "2016-01-01T00:00:00+08:00", days: 366 }',
  '  - { id: push, kind: hj212-listener, name: Push, port: 0, stations: [{ mn: "MN1", site: RIVER-1, passwordEnv: PW_MN1, units: { codmn: mg/L } }] }',
].join('\n');
const mapping = (column: string) =>
  ['site: { column: station }', 'time: { columns: { year: y, month: m, day: d, hour: h }, utcOffsetHours: 8 }', 'values:', `  - { column: ${column}, parameter: pm2_5, unit: μg/m³ }`].join('\n');
const password = 'station-password-4711';

/** A project folder with the configuration above; its state folder is var/ inside it. */
function project(): { dir: string; env: Record<string, string>; write: (name: string, text: string) => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-config-cache-'));
  folders.push(dir);
  const write = (name: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  write('envmon.yaml', base);
  write('data/dongsi.csv', 'station,y,m,d,h,PM\n');
  write('mappings/beijing.yaml', mapping('PM'));
  return { dir, env: { ENVMON_CONFIG: 'envmon.yaml', ENVMON_VAR_DIR: 'var', PW_MN1: password }, write };
}

const cacheFile = (dir: string) => path.join(dir, 'var', CACHE_FILE);

/** Edits the kept check as if it had been kept so, with a matching checksum: the next check shows whether it is used. */
function editKept(dir: string, edit: (files: { sites: { nameEn: string }[] }) => void): void {
  const text = readFileSync(cacheFile(dir), 'utf8');
  const end = text.indexOf('\n');
  const body = JSON.parse(text.slice(end + 1)) as { files: { sites: { nameEn: string }[] } };
  edit(body.files);
  const rest = JSON.stringify(body) + '\n';
  const header = { ...(JSON.parse(text.slice(0, end)) as object), sha256: createHash('sha256').update(rest).digest('hex') };
  writeFileSync(cacheFile(dir), JSON.stringify(header) + '\n' + rest);
}
const markKept = (dir: string) => editKept(dir, (files) => (files.sites[0] ? (files.sites[0].nameEn = 'Kept') : undefined));
const townName = async (dir: string, env: Record<string, string>, codeVersion = 'build-1') => (await checkConfigKept(env, dir, { codeVersion })).config.sites[0]?.nameEn;

describe('the kept check of the configuration files', () => {
  it('gives what a fresh check gives, and stores no credential from the environment', async () => {
    const { dir, env } = project();
    const fresh = checkConfig(env, dir);
    expect(fresh.problems).toEqual([]);
    expect(await checkConfigKept(env, dir, { codeVersion: 'build-1' })).toEqual(fresh);
    expect(existsSync(cacheFile(dir))).toBe(true);
    const kept = await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    expect(kept).toEqual(fresh);
    expect(kept.config.sources[1]?.stationPasswords).toEqual({ MN1: password });
    expect(kept.config.secrets).toContain(password);
    expect(Object.isFrozen(kept.config.sources[0])).toBe(true);
    expect(readFileSync(cacheFile(dir), 'utf8')).not.toContain(password);
  });

  it('is used while the files are unchanged, and read afresh once a file it read changes or one it names is gone', async () => {
    const { dir, env, write } = project();
    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    markKept(dir);
    expect(await townName(dir, env)).toBe('Kept');

    write('envmon.yaml', base.replace('nameEn: Town,', 'nameEn: Town centre,'));
    expect(await townName(dir, env)).toBe('Town centre');

    markKept(dir);
    write('mappings/beijing.yaml', mapping('PM25'));
    const afterMapping = await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    expect(afterMapping.config.sites[0]?.nameEn).toBe('Town centre');
    expect(afterMapping.config.sources[0]?.mappingRules?.values[0]?.column).toBe('PM25');

    markKept(dir);
    rmSync(path.join(dir, 'data/dongsi.csv'));
    const problems = [{ file: 'envmon.yaml', path: 'sources[0].files[0]', seen: '"data/dongsi.csv" (no such file)', expected: 'an existing file (relative to the configuration file)' }];
    expect((await checkConfigKept(env, dir, { codeVersion: 'build-1' })).problems).toEqual(problems);
    expect(checkConfig(env, dir).problems).toEqual(problems);
  });

  it('is not used by another build, another working folder or another list of files', async () => {
    const { dir, env, write } = project();
    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    markKept(dir);
    expect(await townName(dir, env, 'build-2')).toBe('Town');

    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    markKept(dir);
    // The same files named another way: a check is kept for one spelling of the list only.
    expect(await townName(dir, { ...env, ENVMON_CONFIG: './envmon.yaml' })).toBe('Town');

    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    markKept(dir);
    const elsewhere = path.join(dir, 'elsewhere');
    write('elsewhere/envmon.yaml', base);
    write('elsewhere/data/dongsi.csv', 'station,y,m,d,h,PM\n');
    write('elsewhere/mappings/beijing.yaml', mapping('PM'));
    expect(await townName(elsewhere, { ...env, ENVMON_VAR_DIR: '../var' })).toBe('Town');
  });

  it('ignores a damaged cache file and replaces it', async () => {
    const { dir, env } = project();
    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    const good = readFileSync(cacheFile(dir), 'utf8');
    const fresh = checkConfig(env, dir);
    const damaged = [
      '',
      'not json at all',
      good.slice(0, good.length / 2),
      good.replace('"nameEn":"Town"', '"nameEn":"Tampered"'),
      good.slice(0, good.indexOf('\n')),
      '{}\n{}\n',
    ];
    for (const text of damaged) {
      writeFileSync(cacheFile(dir), text);
      expect(await checkConfigKept(env, dir, { codeVersion: 'build-1' })).toEqual(fresh);
      expect(readFileSync(cacheFile(dir), 'utf8')).toBe(good);
    }
  });

  it('reports the problems of a fresh check word for word, and keeps no check that has problems', async () => {
    const { dir, env, write } = project();
    write('envmon.yaml', base.replace('kind: air_station', 'kind: volcano'));
    const broken = await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    expect(broken.problems).toEqual(checkConfig(env, dir).problems);
    expect(broken.problems.map((p) => p.path)).toEqual(['sites[0].kind']);
    expect(existsSync(cacheFile(dir))).toBe(false);

    // A kept check, then an environment that lacks the station's password and names an unknown variable.
    write('envmon.yaml', base);
    await checkConfigKept(env, dir, { codeVersion: 'build-1' });
    markKept(dir);
    const { PW_MN1: _, ...withoutPassword } = env;
    const other = { ...withoutPassword, ENVMON_LOG_LEVL: 'debug' };
    const kept = await checkConfigKept(other, dir, { codeVersion: 'build-1' });
    expect(kept.config.sites[0]?.nameEn).toBe('Kept');
    const fresh = checkConfig(other, dir);
    expect(kept.problems).toEqual(fresh.problems);
    expect(formatProblems(kept.problems)).toBe(formatProblems(fresh.problems));
    expect(kept.problems.map((p) => [p.file, p.path])).toEqual([
      ['environment', 'ENVMON_LOG_LEVL'],
      ['envmon.yaml', 'sources[1].stations[0].passwordEnv'],
    ]);
  });

  it('keeps nothing when running the sources', async () => {
    const { dir, env } = project();
    expect(await checkConfigKept(env, dir, { codeVersion: null })).toEqual(checkConfig(env, dir));
    expect(existsSync(path.join(dir, 'var'))).toBe(false);
  });
});
