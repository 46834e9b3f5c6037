import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot } from '../support/test-service.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('envmon CLI', () => {
  it('prints help for itself and every command, exit 0', async () => {
    const top = await runEnvmon(['--help'], cleanEnv());
    expect(top.code).toBe(0);
    for (const command of ['start', 'migrate', 'status', 'sources list']) {
      expect(top.stdout).toContain(command);
      const own = await runEnvmon([...command.split(' '), '--help'], cleanEnv());
      expect(own.code, command).toBe(0);
      expect(own.stdout).toMatch(new RegExp(`^envmon ${command}`));
    }
  });

  it('fails with one line for an unknown command or option', async () => {
    const unknown = await runEnvmon(['frobnicate'], cleanEnv());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual(['envmon: unknown command "frobnicate" (see envmon --help)']);
    const option = await runEnvmon(['status', '--colour'], cleanEnv());
    expect(option.code).toBe(1);
    expect(option.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to start on a broken configuration file, listing every problem', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-cli-'));
    writeFileSync(path.join(dir, 'envmon.yaml'), 'sites:\n  - { code: "bad code", nameZh: x, nameEn: x, kind: air_station, area: x }\nqueues: { attempts: 0 }\n');
    const result = await runEnvmon(['start'], cleanEnv({ ENVMON_CONFIG: path.join(dir, 'envmon.yaml'), DATABASE_URL: database.url }), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('envmon: invalid configuration (2 problems):');
    expect(result.stderr).toContain('envmon.yaml: sites[0].code: got "bad code", expected a code of letters, digits');
    expect(result.stderr).toContain('envmon.yaml: queues.attempts: got 0, expected');
  });

  it('migrates and reports status as JSON against an external database', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url });
    const migrate = await runEnvmon(['migrate'], env);
    expect(migrate.code).toBe(0);
    const status = await runEnvmon(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ database: 'external', queues: 'postgres', readings: 0, quarantined: 0, openAlerts: 0, pendingNotifications: 0 });
  });

  it('disables and enables a source, the operator\'s choice outliving the configuration file', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url });
    expect((await runEnvmon(['sources', 'disable', 'water-simulator'], env)).stdout.trim()).toBe('water-simulator disabled');
    const shown = JSON.parse((await runEnvmon(['sources', 'show', 'water-simulator', '--json'], env)).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: 'water-simulator', enabled: false, enabledBy: 'operator', readings: 0 });
    // Applying the configuration again (as every start does) keeps the operator's choice.
    const listed = JSON.parse((await runEnvmon(['sources', 'list', '--json'], env)).stdout) as { id: string; enabled: boolean }[];
    expect(listed.find((s) => s.id === 'water-simulator')?.enabled).toBe(false);
    await runEnvmon(['sources', 'enable', 'water-simulator'], env);
    const again = JSON.parse((await runEnvmon(['sources', 'show', 'water-simulator', '--json'], env)).stdout) as Record<string, unknown>;
    expect(again).toMatchObject({ enabled: true, enabledBy: 'operator' });
    const missing = await runEnvmon(['sources', 'disable', 'nope'], env);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'envmon: no source "nope"']);
  });

  it('tests a source by fetching and validating a window without storing it', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url });
    const result = await runEnvmon(['sources', 'test', 'water-simulator', '--hours', '8', '--json'], env);
    const report = JSON.parse(result.stdout) as { records: number; readings: number; rejected: number };
    // 8 hours of 4-hourly samples: 2 sample times × 4 sections, 6 parameters each.
    expect(report).toMatchObject({ records: 8, readings: 48, rejected: 0 });
    const stored = await database.db.selectFrom('reading').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
  });

  it('backfills a past period window by window, with a progress line per window when not on a terminal', async () => {
    const env = cleanEnv({ DATABASE_URL: database.url });
    const result = await runEnvmon(['backfill', '--source', 'water-simulator', '--from', '2026-10-01T00:00:00+08:00', '--to', '2026-10-03T00:00:00+08:00', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    // Two days of 4-hourly samples: 12 times × 4 river sections × 6 parameters.
    const total = JSON.parse(result.stdout) as Record<string, unknown> & { evaluation: { rules: boolean; alerts: { opened: number; late: number } } };
    expect(total).toMatchObject({ parsed: 288, stored: 288, unchanged: 0, revised: 0, rejected: 0, reasons: {} });
    // Backfilled data is judged by the rules like pulled data, at its own (past) times, and labelled late.
    expect(total.evaluation.rules).toBe(true);
    const alerts = await database.db.selectFrom('alert').select(['rule_id', 'late', 'first_seen_at']).execute();
    expect(alerts.length).toBeGreaterThan(0);
    expect(total.evaluation.alerts.opened + total.evaluation.alerts.late).toBe(alerts.length);
    for (const a of alerts) expect([a.late, a.first_seen_at > new Date('2026-09-30T16:00:00Z') && a.first_seen_at <= new Date('2026-10-02T16:00:00Z')]).toEqual([true, true]);
    expect(result.stderr.trim().split('\n').map((l) => l.trim())).toEqual([
      '50%  2026-10-02 00:00 (Beijing time)  stored 144, unchanged 0, rejected 0',
      '100%  2026-10-03 00:00 (Beijing time)  stored 288, unchanged 0, rejected 0',
    ]);
    const again = await runEnvmon(['backfill', '--source', 'water-simulator', '--from', '2026-10-01T00:00:00+08:00', '--to', '2026-10-03T00:00:00+08:00', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ stored: 0, unchanged: 288 });
  });

  it('reports an unreachable database in one line without its password', async () => {
    const result = await runEnvmon(['status'], cleanEnv({ DATABASE_URL: 'postgres://envmon:pa55word-xyz@127.0.0.1:1/envmon' }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('pa55word-xyz');
  });

  it('refuses an impossible time given to other commands, naming the option and the value', async () => {
    const result = await runEnvmon(['backfill', '--source', 'water-simulator', '--from', '2026-02-30', '--to', '2026-03-01'], cleanEnv({ DATABASE_URL: database.url }));
    expect([result.code, result.stderr]).toEqual([1, 'envmon: --from "2026-02-30": no such date (February 2026 has 28 days)\n']);
  });

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await runEnvmon(['--version'], cleanEnv());
    expect([result.code, result.stdout]).toEqual([0, `envmon ${version}\n`]);
  });

  it('suggests the command or option meant', async () => {
    const command = await runEnvmon(['alert', 'list'], cleanEnv());
    expect([command.code, command.stderr]).toEqual([1, 'envmon: unknown command "alert list"; did you mean "alerts list"? (see envmon --help)\n']);
    const sub = await runEnvmon(['sources', 'lst'], cleanEnv());
    expect([sub.code, sub.stderr]).toEqual([1, 'envmon: unknown command "sources lst"; did you mean "sources list"? (see envmon sources --help)\n']);
    const option = await runEnvmon(['aqi', '--site', 'Dongsi', '--form', '2016-03-01', '--to', '2016-03-02'], cleanEnv());
    expect([option.code, option.stderr]).toEqual([1, 'envmon: unknown option --form for "envmon aqi"; did you mean --from? (see envmon aqi --help)\n']);
  });

  it('lists the sites with their names, kind, area, note and the sources that feed them', async () => {
    const result = await runEnvmon(['sites', '--json'], cleanEnv({ DATABASE_URL: database.url }));
    expect(result.code, result.stderr).toBe(0);
    const sites = JSON.parse(result.stdout) as { code: string }[];
    expect(sites.find((s) => s.code === 'JC-SW-WULIANG')).toEqual({
      code: 'JC-SW-WULIANG',
      nameZh: '磁窑河武良',
      nameEn: 'Ciyao River, Wuliang (county exit section)',
      kind: 'surface_water',
      area: '山西省吕梁市交城县',
      note: null,
      origin: 'config',
      sources: ['water-simulator'],
    });
    expect(sites.find((s) => s.code === 'Dongsi')).toMatchObject({ kind: 'air_station', area: '北京市', note: expect.stringContaining('回放数据') as unknown });
    const text = await runEnvmon(['sites'], cleanEnv({ DATABASE_URL: database.url }));
    expect(text.stdout).toMatch(/^JC-SW-WULIANG +磁窑河武良 Ciyao River, Wuliang \(county exit section\) +surface_water +山西省吕梁市交城县 +water-simulator$/m);
  });
});

describe('envmon config check', () => {
  const valid = [
    'sites:',
    '  - { code: AIR-1, nameZh: 城区, nameEn: Town, kind: air_station, area: 甲县 }',
    '  - { code: RIVER-1, nameZh: 河一, nameEn: River one, kind: surface_water, waterBody: river, area: 乙县 }',
    'sources:',
    '  - { id: sim, kind: water-simulator, name: Sim, schedule: "*/5 * * * *", sites: [{ site: RIVER-1, levels: { nh3_n: { mean: 1, spread: 0.1, decimals: 2 } } }] }',
    'targets:',
    '  - { id: T-RIVER, document: plan, nature: binding, scope: { site: RIVER-1 }, indicator: water_class, target: { year: 2025, comparator: class_at_least, value: III }, validFrom: "2021-01-01", validTo: "2025-12-31" }',
    'rules:',
    '  - { id: r1, kind: no_data, sources: [sim], afterMinutes: 60 }',
    'recipients:',
    '  - { id: duty, name: Duty, email: duty@example.org }',
  ].join('\n');
  const broken = valid.replace('sources: [sim]', 'sources: [simm]').replace('"*/5 * * * *"', '"61 * * * *"');
  // Nothing listens on port 1: a command that touched the database would fail.
  const noDatabase = { DATABASE_URL: 'postgres://envmon:x@127.0.0.1:1/envmon' };
  const folder = (text: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-check-'));
    writeFileSync(path.join(dir, 'envmon.yaml'), text);
    return dir;
  };

  it('says OK in one line with what the configuration holds, touching no database', async () => {
    const result = await runEnvmon(['config', 'check'], cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase }), folder(valid));
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'configuration OK (envmon.yaml): 2 sites, 1 source, 1 rule, 1 target, 1 recipient\n', '']);
    const json = await runEnvmon(['config', 'check', '--json'], cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase }), folder(valid));
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { ok: true, problems: [], files: ['envmon.yaml'], counts: { sites: 2, sources: 1, rules: 1, targets: 1, recipients: 1 } }]);
  });

  it('lists every problem and exits 2, as text or JSON', async () => {
    const result = await runEnvmon(['config', 'check'], cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase }), folder(broken));
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      [
        'envmon: invalid configuration (2 problems):',
        '  envmon.yaml: sources[0].schedule: got "61 * * * *", expected a 5-field cron expression such as "5 * * * *" (minute 61 is out of range 0–59)',
        '  envmon.yaml: rules[0].sources[0]: got "simm", expected the id of a configured source; did you mean "sim"?',
        '',
      ].join('\n'),
    ]);
    const json = await runEnvmon(['config', 'check', '--json'], cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase }), folder(broken));
    expect([json.code, JSON.parse(json.stdout)]).toEqual([
      2,
      {
        ok: false,
        files: ['envmon.yaml'],
        problems: [
          { file: 'envmon.yaml', path: 'sources[0].schedule', seen: '"61 * * * *"', expected: 'a 5-field cron expression such as "5 * * * *" (minute 61 is out of range 0–59)' },
          { file: 'envmon.yaml', path: 'rules[0].sources[0]', seen: '"simm"', expected: 'the id of a configured source', hint: 'did you mean "sim"?' },
        ],
      },
    ]);
  });

  it('is the check every command runs before it starts', async () => {
    const result = await runEnvmon(['status'], cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase }), folder(broken));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('  envmon.yaml: rules[0].sources[0]: got "simm", expected the id of a configured source; did you mean "sim"?\n');
  });

  it('sees the file as it is now at every command, however often the same file was checked before', async () => {
    const dir = folder(valid);
    const env = cleanEnv({ ENVMON_CONFIG: 'envmon.yaml', ...noDatabase });
    // The configuration passes; then the command fails on the database nobody listens for.
    const unreachable = [1, expect.stringMatching(/^envmon: error: .*\n$/) as unknown];
    for (let i = 0; i < 2; i++) {
      const result = await runEnvmon(['status'], env, dir);
      expect([result.code, result.stderr]).toEqual(unreachable);
    }
    writeFileSync(path.join(dir, 'envmon.yaml'), broken);
    const afterEdit = await runEnvmon(['status'], env, dir);
    expect([afterEdit.code, afterEdit.stderr]).toEqual([
      2,
      [
        'envmon: invalid configuration (2 problems):',
        '  envmon.yaml: sources[0].schedule: got "61 * * * *", expected a 5-field cron expression such as "5 * * * *" (minute 61 is out of range 0–59)',
        '  envmon.yaml: rules[0].sources[0]: got "simm", expected the id of a configured source; did you mean "sim"?',
        '',
      ].join('\n'),
    ]);
    writeFileSync(path.join(dir, 'envmon.yaml'), valid);
    const repaired = await runEnvmon(['status'], env, dir);
    expect([repaired.code, repaired.stderr]).toEqual(unreachable);
    // A credential the file names is read from the environment at every command.
    writeFileSync(path.join(dir, 'envmon.yaml'), valid.replace('name: Duty,', 'name: Duty, webhooks: [{ kind: wecom, urlEnv: DUTY_HOOK }],'));
    expect((await runEnvmon(['status'], { ...env, DUTY_HOOK: 'https://hooks.example.org/x' }, dir)).code).toBe(1);
    const withoutHook = await runEnvmon(['status'], env, dir);
    expect([withoutHook.code, withoutHook.stderr]).toEqual([
      2,
      'envmon: invalid configuration (1 problem):\n  envmon.yaml: recipients[0].webhooks[0].urlEnv: got DUTY_HOOK unset, expected the wecom URL in environment variable DUTY_HOOK\n',
    ]);
  });
});
