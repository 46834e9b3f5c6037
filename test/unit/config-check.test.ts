/**
 * Every check of the configuration, each with the problem it reports: file, key path, value seen, what was expected
 * and, for near misses, a "did you mean". Each case writes a small configuration and loads it as start-up does.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../config/config-error.ts';
import { loadConfig } from '../../config/load-config.ts';

/** Two sites in two areas, a water simulator for the river, an air and a water target. */
const base = [
  'sites:',
  '  - { code: AIR-1, nameZh: 城区, nameEn: Town, kind: air_station, area: 甲县 }',
  '  - { code: RIVER-1, nameZh: 河一, nameEn: River one, kind: surface_water, waterBody: river, area: 乙县 }',
  'sources:',
  '  - { id: sim, kind: water-simulator, name: Sim, schedule: "*/5 * * * *", sites: [{ site: RIVER-1, levels: { nh3_n: { mean: 1, spread: 0.1, decimals: 2 } } }] }',
  'targets:',
  '  - { id: T-AIR, document: plan, nature: binding, scope: { site: AIR-1 }, indicator: pm2_5_annual_mean, target: { year: 2025, comparator: "<=", value: 44 }, validFrom: "2021-01-01", validTo: "2025-12-31" }',
  '  - { id: T-RIVER, document: plan, nature: binding, scope: { site: RIVER-1 }, indicator: water_class, target: { year: 2025, comparator: class_at_least, value: III }, validFrom: "2021-01-01", validTo: "2025-12-31" }',
].join('\n');

/** Problems of the configuration made of `files` (name → YAML), loaded in order; [] when it is valid. */
function problemsOf(files: Record<string, string>, env: Record<string, string> = {}, extraFiles: Record<string, string> = {}): ConfigProblem[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-check-'));
  for (const [name, text] of Object.entries({ ...files, ...extraFiles })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  try {
    loadConfig({ ENVMON_CONFIG: Object.keys(files).join(','), ...env }, dir);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

const withBase = (extra: string, env: Record<string, string> = {}, extraFiles: Record<string, string> = {}) => problemsOf({ 'base.yaml': base, 'extra.yaml': extra }, env, extraFiles);

describe('the test configuration', () => {
  it('is valid as it stands', () => {
    expect(withBase('rules: []')).toEqual([]);
  });
});

describe('keys and values', () => {
  it('suggests the key meant for an unknown key', () => {
    expect(withBase(['rules:', '  - { id: r1, kind: threshold, scope: { site: [AIR-1] }, parameter: pm2_5, windwo: 24h, limit: { standard: GB 3095, grade: 2 } }', 'queues: { concurency: 2 }'].join('\n'))).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope.site', seen: 'an unknown key', expected: 'no such key (check its spelling)', hint: 'did you mean "sites"?' },
      { file: 'extra.yaml', path: 'rules[0].windwo', seen: 'an unknown key', expected: 'no such key (check its spelling)', hint: 'did you mean "window"?' },
      { file: 'extra.yaml', path: 'queues.concurency', seen: 'an unknown key', expected: 'no such key (check its spelling)', hint: 'did you mean "concurrency"?' },
    ]);
  });

  it('suggests the option meant for a misspelt kind', () => {
    expect(
      problemsOf({
        'a.yaml': [
          'sites:',
          '  - { code: X1, nameZh: 甲, nameEn: A, kind: air_statoin, area: 甲县 }',
          'sources:',
          '  - { id: rp, kind: replay-cvs, name: R, schedule: "0 * * * *" }',
        ].join('\n'),
      }),
    ).toEqual([
      { file: 'a.yaml', path: 'sites[0].kind', seen: '"air_statoin"', expected: 'one of "air_station"|"surface_water"|"drinking_water_source"|"groundwater_well"|"discharge_outlet"', hint: 'did you mean "air_station"?' },
      { file: 'a.yaml', path: 'sources[0].kind', seen: '"replay-cvs"', expected: 'one of "replay-csv"|"water-simulator"|"http-json"|"csv-url"|"cnemc"|"openaq"|"hj212-listener"', hint: 'did you mean "replay-csv"?' },
    ]);
  });

  it('names an ENVMON_ variable envmon does not read, without its value', () => {
    const problems = withBase('rules: []', { ENVMON_HTTP_PROT: '8080', ENVMON_SMTP_ULR: 'smtp://u:hunter2-pw@mail' });
    expect(problems).toEqual([
      { file: 'environment', path: 'ENVMON_HTTP_PROT', seen: 'a variable envmon does not read', expected: 'a known ENVMON_ variable (see .env.example)', hint: 'did you mean "ENVMON_HTTP_PORT"?' },
      { file: 'environment', path: 'ENVMON_SMTP_ULR', seen: 'a variable envmon does not read', expected: 'a known ENVMON_ variable (see .env.example)', hint: 'did you mean "ENVMON_SMTP_URL"?' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('cron schedules', () => {
  const schedule = (expr: string) => withBase(`notifications: { schedule: "${expr}" }`);
  const problem = (expr: string, why: string): ConfigProblem => ({ file: 'extra.yaml', path: 'notifications.schedule', seen: JSON.stringify(expr), expected: `a 5-field cron expression such as "5 * * * *" (${why})` });

  it('says which field is out of range', () => {
    expect(schedule('61 * * * *')).toEqual([problem('61 * * * *', 'minute 61 is out of range 0–59')]);
    expect(schedule('0 24 * * *')).toEqual([problem('0 24 * * *', 'hour 24 is out of range 0–23')]);
    expect(schedule('0 8 0 * *')).toEqual([problem('0 8 0 * *', 'day-of-month 0 is out of range 1–31')]);
    expect(schedule('0 8 * 13 *')).toEqual([problem('0 8 * 13 *', 'month 13 is out of range 1–12')]);
    expect(schedule('0 8 * * 8')).toEqual([problem('0 8 * * 8', 'day-of-week 8 is out of range 0–7')]);
  });

  it('counts the fields', () => {
    expect(schedule('0 0 8 * * *')).toEqual([problem('0 0 8 * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 6')]);
    expect(schedule('every hour')).toEqual([problem('every hour', 'expected 5 fields (minute hour day-of-month month day-of-week), got 2')]);
  });

  it('names an unknown day or month name, with the one meant', () => {
    expect(schedule('0 8 * * thur')).toEqual([problem('0 8 * * thur', 'unknown day name "thur"; did you mean "thu"?')]);
    expect(schedule('0 8 1 jna *')).toEqual([problem('0 8 1 jna *', 'unknown month name "jna"; did you mean "jan"?')]);
  });

  it('refuses steps of 0, ranges that run backwards and days that never come', () => {
    expect(schedule('*/0 * * * *')).toEqual([problem('*/0 * * * *', 'minute step 0 must be at least 1')]);
    expect(schedule('0 22-2 * * *')).toEqual([problem('0 22-2 * * *', 'hour range 22-2 runs backwards (write 22-23,0-2)')]);
    expect(schedule('0 8 30 2 *')).toEqual([problem('0 8 30 2 *', 'day-of-month 30 never comes in month 2, so it would never run')]);
    expect(schedule('0 8 * * mon-fri,sun')).toEqual([]);
    expect(schedule('*/15 0-6,22-23 1,15 jan-mar,dec *')).toEqual([]);
  });
});

describe('duplicate ids', () => {
  it('names both places a rule, target, recipient, site or source id is used', () => {
    const extra = [
      'sites:',
      '  - { code: AIR-1, nameZh: 又, nameEn: Again, kind: air_station, area: 甲县 }',
      'sources:',
      '  - { id: sim, kind: water-simulator, name: Sim2, schedule: "*/5 * * * *", sites: [{ site: RIVER-1, levels: {} }] }',
      'targets:',
      '  - { id: T-AIR, document: plan, nature: binding, scope: { site: AIR-1 }, indicator: good_day_ratio, target: { year: 2025, comparator: ">=", value: 75 }, validFrom: "2021-01-01", validTo: "2025-12-31" }',
      'rules:',
      '  - { id: r1, kind: rate_of_change, scope: { sites: [AIR-1] }, parameter: pm10, maxRise: 100 }',
      '  - { id: r1, kind: rate_of_change, scope: { sites: [AIR-1] }, parameter: pm2_5, maxRise: 100 }',
      'recipients:',
      '  - { id: duty, name: Duty, email: duty@example.org }',
      '  - { id: duty, name: Duty 2, email: duty2@example.org }',
    ].join('\n');
    expect(withBase(extra)).toEqual([
      { file: 'extra.yaml', path: 'sites[0].code', seen: '"AIR-1"', expected: 'a site code not used by another site (base.yaml sites[0] has it)' },
      { file: 'extra.yaml', path: 'sources[0].id', seen: '"sim"', expected: 'a source id not used by another source (base.yaml sources[0] has it)' },
      { file: 'extra.yaml', path: 'targets[0].id', seen: '"T-AIR"', expected: 'a target id not used by another target (base.yaml targets[0] has it)' },
      { file: 'extra.yaml', path: 'rules[1].id', seen: '"r1"', expected: 'a rule id not used by another rule (extra.yaml rules[0] has it)' },
      { file: 'extra.yaml', path: 'recipients[1].id', seen: '"duty"', expected: 'a recipient id not used by another recipient (extra.yaml recipients[0] has it)' },
    ]);
  });
});

describe('rule scopes', () => {
  it('names an unknown site, with the code meant', () => {
    expect(withBase('rules:\n  - { id: r1, kind: rate_of_change, scope: { sites: [AIR-l, NOWHERE] }, parameter: pm10, maxRise: 100 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope.sites[0]', seen: '"AIR-l"', expected: 'the code of a configured site', hint: 'did you mean "AIR-1"?' },
      { file: 'extra.yaml', path: 'rules[0].scope.sites[1]', seen: '"NOWHERE"', expected: 'the code of a configured site' },
    ]);
  });

  it('names an unknown area, with the area meant', () => {
    expect(withBase('rules:\n  - { id: r1, kind: rate_of_change, scope: { areas: [甲], siteKinds: [air_station] }, parameter: pm10, maxRise: 100 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope.areas[0]', seen: '"甲"', expected: 'the area of a configured site', hint: 'did you mean "甲县"?' },
    ]);
  });

  it('reports a scope that matches no configured site: the rule could never fire', () => {
    expect(withBase('rules:\n  - { id: r1, kind: instrument_state, scope: { siteKinds: [groundwater_well] }, afterHours: 6 }\n  - { id: r2, kind: instrument_state, scope: {}, afterHours: 6 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope', seen: 'siteKinds ["groundwater_well"]', expected: 'a scope that matches at least one configured site (this rule could never fire)' },
      { file: 'extra.yaml', path: 'rules[1].scope', seen: 'an empty scope', expected: 'a scope that matches at least one configured site (this rule could never fire)' },
    ]);
  });

  it('accepts sites a feed registers, but still catches a near miss of a configured code', () => {
    const cnemc = 'sources:\n  - { id: national, kind: cnemc, name: CNEMC, schedule: "5 * * * *", url: "https://feed.example/{since}", registerSites: true }\n';
    expect(withBase(cnemc + 'rules:\n  - { id: r1, kind: rate_of_change, scope: { sites: [1081A] }, parameter: pm10, maxRise: 100 }\n  - { id: r2, kind: rate_of_change, scope: { areas: [吕梁市] }, parameter: pm10, maxRise: 100 }')).toEqual([]);
    expect(withBase(cnemc + 'rules:\n  - { id: r1, kind: rate_of_change, scope: { sites: [AIR-2] }, parameter: pm10, maxRise: 100 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope.sites[0]', seen: '"AIR-2"', expected: 'the code of a configured site', hint: 'did you mean "AIR-1"?' },
    ]);
    // A feed registers air stations only: a water kind still matches nothing.
    expect(withBase(cnemc + 'rules:\n  - { id: r1, kind: instrument_state, scope: { siteKinds: [groundwater_well] }, afterHours: 6 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].scope', seen: 'siteKinds ["groundwater_well"]', expected: 'a scope that matches at least one configured site (this rule could never fire)' },
    ]);
  });
});

describe('rule parameters and limits', () => {
  it('names a parameter missing from the catalogue, with the code meant', () => {
    expect(
      withBase(
        [
          'rules:',
          '  - { id: r1, kind: threshold, scope: { sites: [AIR-1] }, parameter: pm25, limit: 75, limitSource: test }',
          '  - { id: r2, kind: rate_of_change, scope: { sites: [AIR-1] }, parameter: PM10, maxRise: 100 }',
          '  - { id: r3, kind: instrument_state, scope: { sites: [RIVER-1] }, parameters: [nh3_n, nh3n], afterHours: 6 }',
        ].join('\n'),
      ),
    ).toEqual([
      { file: 'extra.yaml', path: 'rules[0].parameter', seen: '"pm25"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "pm2_5"?' },
      { file: 'extra.yaml', path: 'rules[1].parameter', seen: '"PM10"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "pm10"?' },
      { file: 'extra.yaml', path: 'rules[2].parameters[1]', seen: '"nh3n"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "nh3_n"?' },
    ]);
  });

  it('refuses a GB 3095 limit the standard does not have, instead of a rule that never fires', () => {
    expect(
      withBase(
        [
          'rules:',
          '  - { id: r1, kind: threshold, scope: { sites: [AIR-1] }, parameter: pm2_5, window: 8h, limit: { standard: GB 3095, grade: 2 } }',
          '  - { id: r2, kind: threshold, scope: { sites: [RIVER-1] }, parameter: nh3_n, window: 24h, limit: { standard: GB 3095, grade: 2 } }',
          '  - { id: r3, kind: threshold, scope: { sites: [AIR-1] }, parameter: o3, window: 8h, limit: { standard: GB 3095, grade: 1 } }',
        ].join('\n'),
      ),
    ).toEqual([
      { file: 'extra.yaml', path: 'rules[0].limit', seen: 'GB 3095 grade 2 for pm2_5 over 8h', expected: 'a window GB 3095 Table 1 limits for pm2_5: 24h or day' },
      { file: 'extra.yaml', path: 'rules[1].limit', seen: 'GB 3095 grade 2 for nh3_n over 24h', expected: 'a parameter GB 3095 Table 1 limits (pm2_5, pm10, so2, no2, co, o3), or a number with its limitSource' },
    ]);
  });

  it('refuses a clearAt on the breaching side of the limit (the alert would resolve while still in breach)', () => {
    expect(
      withBase(
        [
          'rules:',
          '  - { id: r1, kind: threshold, scope: { sites: [RIVER-1] }, parameter: nh3_n, limit: 1.0, clearAt: 1.2, limitSource: test }',
          '  - { id: r2, kind: threshold, scope: { sites: [RIVER-1] }, parameter: do, direction: "<", limit: 5, clearAt: 4.5, limitSource: test }',
          '  - { id: r3, kind: threshold, scope: { sites: [RIVER-1] }, parameter: do, direction: "<", limit: 5, clearAt: 5.5, limitSource: test }',
        ].join('\n'),
      ),
    ).toEqual([
      { file: 'extra.yaml', path: 'rules[0].clearAt', seen: '1.2', expected: 'a level at or below the limit 1 (direction ">": the alert resolves once the value is back at or below it)' },
      { file: 'extra.yaml', path: 'rules[1].clearAt', seen: '4.5', expected: 'a level at or above the limit 5 (direction "<": the alert resolves once the value is back at or above it)' },
    ]);
  });
});

describe('rules that follow targets', () => {
  it('names an unknown target and a target target_at_risk does not follow', () => {
    expect(withBase('rules:\n  - { id: r1, kind: target_at_risk, targets: [T-AIR, T-AIRR, T-RIVER] }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].targets[1]', seen: '"T-AIRR"', expected: 'the id of a configured target', hint: 'did you mean "T-AIR"?' },
      { file: 'extra.yaml', path: 'rules[0].targets[2]', seen: '"T-RIVER"', expected: 'an air target of a site (target_at_risk follows pm2_5_annual_mean, good_day_ratio, heavy_pollution_day_ratio and heavy_pollution_days)' },
    ]);
  });

  it('reports a target_at_risk rule with no governing air target to follow', () => {
    const noAirTarget = base.split('\n').filter((l) => !l.includes('T-AIR')).join('\n');
    expect(problemsOf({ 'base.yaml': noAirTarget, 'extra.yaml': 'rules:\n  - { id: r1, kind: target_at_risk }' })).toEqual([
      { file: 'extra.yaml', path: 'rules[0].targets', seen: 'nothing', expected: 'target ids, or a governing air target of a site in the configuration (there is none, so this rule could never fire)' },
    ]);
  });

  it('reports a water_class rule with no class to hold for any site in its scope', () => {
    expect(withBase('rules:\n  - { id: r1, kind: water_class, scope: { sites: [AIR-1] } }\n  - { id: r2, kind: water_class, scope: { sites: [RIVER-1] } }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].targetClass', seen: 'nothing', expected: 'a targetClass, or a water_class target for a site in the scope (none has one, so this rule could never fire)' },
    ]);
  });
});

describe('no_data rules', () => {
  it('names an unknown source, with the id meant', () => {
    expect(withBase('rules:\n  - { id: r1, kind: no_data, sources: [sim, simm], afterMinutes: 60 }')).toEqual([
      { file: 'extra.yaml', path: 'rules[0].sources[1]', seen: '"simm"', expected: 'the id of a configured source', hint: 'did you mean "sim"?' },
    ]);
  });

  it('refuses a source switched off in the configuration, and accepts an HJ 212 listener', () => {
    const extra = [
      'sources:',
      '  - { id: old, kind: water-simulator, name: Old, enabled: false, schedule: "*/5 * * * *", sites: [{ site: RIVER-1, levels: {} }] }',
      '  - { id: push, kind: hj212-listener, name: Push, port: 0, stations: [{ mn: "MN1", site: RIVER-1, passwordEnv: PW_MN1 }] }',
      'rules:',
      '  - { id: r1, kind: no_data, sources: [old, push], afterMinutes: 60 }',
    ].join('\n');
    expect(withBase(extra, { PW_MN1: 'x' })).toEqual([
      { file: 'extra.yaml', path: 'rules[0].sources[0]', seen: '"old"', expected: 'an enabled source (extra.yaml sources[0] has enabled: false, so this rule would report it silent for ever)' },
    ]);
  });
});

describe('maintenance windows', () => {
  it('names unknown sites and parameters and a window that ends before it starts', () => {
    expect(
      withBase(
        'maintenance:\n  - { sites: [RIVER-l], parameters: [tp, codmnn], from: "2026-12-01T08:00:00+08:00", to: "2026-12-01T06:00:00+08:00", reason: calibration }',
      ),
    ).toEqual([
      { file: 'extra.yaml', path: 'maintenance[0].sites[0]', seen: '"RIVER-l"', expected: 'the code of a configured site', hint: 'did you mean "RIVER-1"?' },
      { file: 'extra.yaml', path: 'maintenance[0].parameters[1]', seen: '"codmnn"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "codmn"?' },
      { file: 'extra.yaml', path: 'maintenance[0].to', seen: '"2026-12-01T06:00:00+08:00"', expected: 'a time after from ("2026-12-01T08:00:00+08:00")' },
    ]);
  });
});

describe('recipients', () => {
  it('names unknown areas, sites, parameters and rules of a subscription', () => {
    const extra = [
      'rules:',
      '  - { id: spikes, kind: rate_of_change, scope: { sites: [AIR-1] }, parameter: pm10, maxRise: 100 }',
      'recipients:',
      '  - id: duty',
      '    name: Duty',
      '    email: duty@example.org',
      '    subscriptions:',
      '      - { areas: [乙], parameters: [nh3-n] }',
      '      - { sites: [AIR-I], rules: [spike] }',
    ].join('\n');
    expect(withBase(extra)).toEqual([
      { file: 'extra.yaml', path: 'recipients[0].subscriptions[0].areas[0]', seen: '"乙"', expected: 'the area of a configured site', hint: 'did you mean "乙县"?' },
      { file: 'extra.yaml', path: 'recipients[0].subscriptions[0].parameters[0]', seen: '"nh3-n"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "nh3_n"?' },
      { file: 'extra.yaml', path: 'recipients[0].subscriptions[1].sites[0]', seen: '"AIR-I"', expected: 'the code of a configured site', hint: 'did you mean "AIR-1"?' },
      { file: 'extra.yaml', path: 'recipients[0].subscriptions[1].rules[0]', seen: '"spike"', expected: 'the id of a configured rule', hint: 'did you mean "spikes"?' },
    ]);
  });

  it('reports a subscription whose site criteria match no configured site: the recipient would hear nothing', () => {
    const extra = 'recipients:\n  - { id: duty, name: Duty, email: duty@example.org, subscriptions: [{ sites: [AIR-1], siteKinds: [surface_water] }] }';
    expect(withBase(extra)).toEqual([
      { file: 'extra.yaml', path: 'recipients[0].subscriptions[0]', seen: 'sites ["AIR-1"] and siteKinds ["surface_water"]', expected: 'criteria that match at least one configured site (this subscription could never match an alert)' },
    ]);
  });
});

describe('targets', () => {
  it('names an unknown area, an unknown seasonal parameter, impossible dates and a period that ends before it starts', () => {
    const extra = [
      'targets:',
      '  - { id: T-AREA, document: plan, nature: binding, scope: { area: 甲 }, indicator: good_day_ratio, target: { year: 2025, comparator: ">=", value: 75 }, validFrom: "2021-01-01", validTo: "2025-02-30" }',
      '  - id: T-SEASON',
      '    document: plan',
      '    nature: binding',
      '    scope: { site: RIVER-1 }',
      '    indicator: water_class',
      '    target: { year: 2025, comparator: class_at_least, value: III }',
      '    seasonalLimits: [{ parameter: nh3, limit: 8, months: [1] }]',
      '    validFrom: "2025-12-31"',
      '    validTo: "2021-01-01"',
    ].join('\n');
    expect(withBase(extra)).toEqual([
      { file: 'extra.yaml', path: 'targets[0].scope.area', seen: '"甲"', expected: 'the area of a configured site', hint: 'did you mean "甲县"?' },
      { file: 'extra.yaml', path: 'targets[0].validTo', seen: '"2025-02-30"', expected: 'a date that exists (February 2025 has 28 days)' },
      { file: 'extra.yaml', path: 'targets[1].seasonalLimits[0].parameter', seen: '"nh3"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "nh3_n"?' },
      { file: 'extra.yaml', path: 'targets[1].validTo', seen: '"2021-01-01"', expected: 'a date on or after validFrom ("2025-12-31")' },
    ]);
  });
});

describe('sources', () => {
  it('names unknown sites and parameters a source feeds', () => {
    const extra = [
      'sources:',
      '  - { id: sim2, kind: water-simulator, name: Sim2, schedule: "*/5 * * * *", sites: [{ site: RIVER-1, levels: { nh3_n: { mean: 1, spread: 0, decimals: 1 }, codmm: { mean: 1, spread: 0, decimals: 1 } } }] }',
      '  - { id: oaq, kind: openaq, name: OpenAQ, schedule: "0 * * * *", apiKeyEnv: OAQ_KEY, sensors: [{ id: 1, site: AIR-01 }] }',
    ].join('\n');
    expect(withBase(extra, { OAQ_KEY: 'k' })).toEqual([
      { file: 'extra.yaml', path: 'sources[0].sites[0].levels.codmm', seen: '"codmm"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "codmn"?' },
      { file: 'extra.yaml', path: 'sources[1].sensors[0].site', seen: '"AIR-01"', expected: 'the code of a configured site', hint: 'did you mean "AIR-1"?' },
    ]);
  });

  it('names unknown parameters of a JSON feed mapping and of HJ 212 station units', () => {
    const extra = [
      'sources:',
      '  - id: feed',
      '    kind: http-json',
      '    name: Feed',
      '    schedule: "0 * * * *"',
      '    url: "https://feed.example/{since}"',
      '    mapping:',
      '      site: station',
      '      time: { path: time }',
      '      values: [{ path: pm25, parameter: pm25, unit: μg/m³ }]',
      '      pairs: { path: items, parameter: name, value: v, parameters: { 氨氮: nh3n, 总磷: tp } }',
      '  - { id: push, kind: hj212-listener, name: Push, port: 0, stations: [{ mn: "MN1", site: RIVER-1, passwordEnv: PW_MN1, units: { codmm: mg/L } }] }',
    ].join('\n');
    expect(withBase(extra, { PW_MN1: 'x' })).toEqual([
      { file: 'extra.yaml', path: 'sources[0].mapping.values[0].parameter', seen: '"pm25"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "pm2_5"?' },
      { file: 'extra.yaml', path: 'sources[0].mapping.pairs.parameters.氨氮', seen: '"nh3n"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "nh3_n"?' },
      { file: 'extra.yaml', path: 'sources[1].stations[0].units.codmm', seen: '"codmm"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "codmn"?' },
    ]);
  });

  it('names files that do not exist at their key, with the file meant', () => {
    const mapping = ['site: { column: station }', 'time: { columns: { year: y, month: m, day: d, hour: h }, utcOffsetHours: 8 }', 'values:', '  - { column: PM, parameter: pm2.5, unit: μg/m³ }'].join('\n');
    const extra = [
      'sources:',
      '  - id: rp',
      '    kind: replay-csv',
      '    name: Replay',
      '    schedule: "*/5 * * * *"',
      '    files: [data/dongsi.csv, data/tiantan.cvs, data]',
      '    mapping: mappings/beijing.yml',
      '    loop: { start: "2016-01-01T00:00:00+08:00", days: 366 }',
      '  - id: rp2',
      '    kind: replay-csv',
      '    name: Replay 2',
      '    schedule: "*/5 * * * *"',
      '    files: [data/dongsi.csv]',
      '    mapping: mappings/beijing.yaml',
      '    loop: { start: "2016-01-01T00:00:00+08:00", days: 366 }',
    ].join('\n');
    expect(withBase(extra, {}, { 'data/dongsi.csv': 'x\n', 'data/tiantan.csv': 'x\n', 'mappings/beijing.yaml': mapping })).toEqual([
      { file: 'extra.yaml', path: 'sources[0].files[1]', seen: '"data/tiantan.cvs" (no such file)', expected: 'an existing file (relative to the configuration file)', hint: 'did you mean "data/tiantan.csv"?' },
      { file: 'extra.yaml', path: 'sources[0].files[2]', seen: '"data" (a folder)', expected: 'an existing file (relative to the configuration file)' },
      { file: 'extra.yaml', path: 'sources[0].mapping', seen: '"mappings/beijing.yml" (no such file)', expected: 'an existing file (relative to the configuration file)', hint: 'did you mean "mappings/beijing.yaml"?' },
      { file: 'mappings/beijing.yaml', path: 'values[0].parameter', seen: '"pm2.5"', expected: 'a parameter code of the catalogue (standards/parameters.ts)', hint: 'did you mean "pm2_5"?' },
    ]);
  });
});

describe('the environment', () => {
  it('refuses a state folder that is a file, without showing the value', () => {
    const problems = withBase('rules: []', { ENVMON_VAR_DIR: 'base.yaml' });
    expect(problems).toEqual([{ file: 'environment', path: 'ENVMON_VAR_DIR', seen: 'a path that is a file', expected: 'a folder, or a path where one can be created' }]);
  });

  it('refuses a configuration file that is a folder', () => {
    expect(problemsOf({ 'base.yaml': base }, { ENVMON_CONFIG: 'base.yaml,data' }, { 'data/x.csv': 'x' })).toEqual([{ file: 'data', path: '', seen: 'a folder', expected: 'a YAML or JSON configuration file' }]);
  });
});

describe('one report', () => {
  it('lists the shape problems of one rule and the references of the others together, without cascading', () => {
    const extra = [
      'rules:',
      '  - { id: r1, kind: threshold, scope: { sites: [AIR-1] }, parameter: pm2_5, window: 2h, limit: { standard: GB 3095, grade: 2 } }',
      '  - { id: r2, kind: rate_of_change, scope: { sites: [AIR-9] }, parameter: pm10, maxRise: 100 }',
      'recipients:',
      '  - { id: duty, name: Duty, email: duty@example.org, subscriptions: [{ rules: [r1] }] }',
    ].join('\n');
    expect(withBase(extra)).toEqual([
      { file: 'extra.yaml', path: 'rules[0].window', seen: '"2h"', expected: 'one of "1h"|"8h"|"24h"|"day"' },
      { file: 'extra.yaml', path: 'rules[1].scope.sites[0]', seen: '"AIR-9"', expected: 'the code of a configured site', hint: 'did you mean "AIR-1"?' },
    ]);
  });

  it('keeps minute data 31 days unless told otherwise, for ever with null, and refuses 0 days', () => {
    expect(loadConfig({ ENVMON_CONFIG: 'x.yaml' }, writeDir({ 'x.yaml': 'sites: []' })).retention).toEqual({ minuteDays: 31 });
    expect(loadConfig({ ENVMON_CONFIG: 'x.yaml' }, writeDir({ 'x.yaml': 'retention: { minuteDays: null }' })).retention).toEqual({ minuteDays: null });
    try {
      loadConfig({ ENVMON_CONFIG: 'x.yaml' }, writeDir({ 'x.yaml': 'retention: { minuteDays: 0 }' }));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^invalid configuration \(1 problem\):\n {2}x\.yaml: retention\.minuteDays: got 0, expected /);
    }
  });

  it('formats the hint after what was expected', () => {
    try {
      loadConfig({ ENVMON_CONFIG: 'x.yaml' }, writeDir({ 'x.yaml': 'queues: { concurency: 2 }' }));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('invalid configuration (1 problem):\n  x.yaml: queues.concurency: got an unknown key, expected no such key (check its spelling); did you mean "concurrency"?');
    }
  });
});

function writeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-check-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('dustDays', () => {
  it('accepts a dust day of a known area and of every area', () => {
    expect(withBase('dustDays:\n  - { date: "2025-03-15", area: 甲县, note: 沙尘, by: 值班员 }\n  - { date: "2025-03-16", note: 沙尘, by: 值班员 }')).toEqual([]);
  });

  it('names an unknown area with the one meant, an impossible date and a repeated mark', () => {
    const problems = withBase('dustDays:\n  - { date: "2025-03-15", area: 甲具, note: 沙尘, by: 值班员 }\n  - { date: "2025-02-29", note: 沙尘, by: 值班员 }\n  - { date: "2025-02-29", note: 又一次, by: 值班员 }');
    expect(problems).toContainEqual(expect.objectContaining({ file: 'extra.yaml', path: 'dustDays[0].area', seen: '"甲具"', expected: 'the area of a configured site' }));
    expect(problems).toContainEqual(expect.objectContaining({ path: 'dustDays[1].date', expected: 'a date that exists (February 2025 has 28 days)' }));
    expect(problems).toContainEqual(expect.objectContaining({ path: 'dustDays[2].date' }));
  });

  it('requires note and by', () => {
    const problems = withBase('dustDays:\n  - { date: "2025-03-15" }');
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['dustDays[0].note', 'dustDays[0].by']));
  });
});
