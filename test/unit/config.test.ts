import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config-error.ts';
import { loadConfig } from '../../config/load-config.ts';

const root = path.resolve(import.meta.dirname, '../..');

function configError(env: Record<string, string>, cwd: string): ConfigError {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('loads the seed county by default, frozen', () => {
    const config = loadConfig({}, root);
    expect(config.sites.map((s) => s.code)).toContain('JC-SW-WULIANG');
    expect(config.targets.find((t) => t.id === 'JC-PM25-2025')?.target).toEqual({ year: 2025, comparator: '<=', value: 44 });
    expect(config.databaseUrl).toBeNull();
    expect(Object.isFrozen(config.sources[0])).toBe(true);
  });

  it('lists every problem of a broken file with file, key path, value seen and what was expected', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-config-'));
    writeFileSync(
      path.join(dir, 'broken.yaml'),
      [
        'sites:',
        '  - { code: A1, nameZh: 甲, nameEn: A, kind: volcano, area: X }',
        'sources:',
        '  - id: sim',
        '    kind: water-simulator',
        '    name: Sim',
        '    schedule: "every hour"',
        '    sites: [{ site: NOPE, levels: {} }]',
        'queues: { concurency: 2 }',
      ].join('\n'),
    );
    const error = configError({ ENVMON_CONFIG: 'broken.yaml' }, dir);
    expect(error.problems).toEqual([
      { file: 'broken.yaml', path: 'sites[0].kind', seen: '"volcano"', expected: 'one of "air_station"|"surface_water"|"drinking_water_source"|"groundwater_well"|"discharge_outlet"' },
      { file: 'broken.yaml', path: 'sources[0].schedule', seen: '"every hour"', expected: 'a 5-field cron expression such as "5 * * * *" (expected 5 fields (minute hour day-of-month month day-of-week), got 2)' },
      { file: 'broken.yaml', path: 'queues.concurency', seen: 'an unknown key', expected: 'no such key (check its spelling)', hint: 'did you mean "concurrency"?' },
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid configuration (3 problems):');
    expect(error.message).toContain('broken.yaml: sources[0].schedule: got "every hour", expected a 5-field cron expression');
  });

  it('checks references across the file once its shape is valid', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-config-'));
    writeFileSync(
      path.join(dir, 'refs.yaml'),
      ['sources:', '  - { id: sim, kind: water-simulator, name: Sim, schedule: "0 * * * *", sites: [{ site: NOPE, levels: {} }] }'].join('\n'),
    );
    expect(configError({ ENVMON_CONFIG: 'refs.yaml' }, dir).problems).toEqual([
      { file: 'refs.yaml', path: 'sources[0].sites[0].site', seen: '"NOPE"', expected: 'the code of a configured site' },
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-config-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'sites:\n  - code: [unclosed\n');
    const [problem] = configError({ ENVMON_CONFIG: 'bad.yaml' }, dir).problems;
    expect(problem?.file).toBe('bad.yaml');
    expect(problem?.path).toMatch(/^line \d+, column \d+$/);
  });

  it('never shows environment values, which may hold credentials', () => {
    const error = configError({ DATABASE_URL: 'mysql://admin:s3cret-pass@db/x', ENVMON_ROLE: 'boss' }, root);
    expect(error.message).not.toContain('s3cret');
    expect(error.problems.map((p) => [p.file, p.path, p.seen])).toEqual([
      ['environment', 'DATABASE_URL', 'a value'],
      ['environment', 'ENVMON_ROLE', 'a value'],
    ]);
  });

  it('takes the mail server from ENVMON_SMTP_URL (empty means none) and keeps its password out of logs', () => {
    expect(loadConfig({ ENVMON_SMTP_URL: '' }, root).smtpUrl).toBeNull();
    const config = loadConfig({ ENVMON_SMTP_URL: 'smtps://envmon:s3cret-pw@smtp.example.org:465' }, root);
    expect(config.smtpUrl).toBe('smtps://envmon:s3cret-pw@smtp.example.org:465');
    expect(config.secrets).toContain('s3cret-pw');
    expect(() => loadConfig({ ENVMON_SMTP_URL: 'http://mail.example.org' }, root)).toThrow(/ENVMON_SMTP_URL/);
  });

  it('names a webhook whose URL is missing from the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-config-'));
    const file = path.join(dir, 'recipients.yaml');
    writeFileSync(file, 'recipients:\n  - { id: ops, name: Ops, webhooks: [{ kind: wecom, urlEnv: OPS_WECOM_URL }] }\n');
    expect(() => loadConfig({ ENVMON_CONFIG: file }, dir)).toThrow(/recipients\[0\]\.webhooks\[0\]\.urlEnv.*OPS_WECOM_URL unset/s);
  });

  it('names a missing configuration file, with the file meant', () => {
    expect(configError({ ENVMON_CONFIG: 'nope.yaml' }, root).problems).toEqual([
      { file: 'nope.yaml', path: '', seen: 'no such file', expected: 'a YAML or JSON configuration file' },
    ]);
    expect(configError({ ENVMON_CONFIG: 'config/envmon.yml' }, root).problems).toEqual([
      { file: 'config/envmon.yml', path: '', seen: 'no such file', expected: 'a YAML or JSON configuration file', hint: 'did you mean "config/envmon.yaml"?' },
    ]);
  });
});
