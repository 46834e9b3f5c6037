import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config-error.ts';
import { loadConfig } from '../../config/load-config.ts';

const listener = (extra: string[]) =>
  [
    'sites:',
    '  - { code: JC-SW-WULIANG, nameZh: 磁窑河武良, nameEn: Wuliang, kind: surface_water, area: 交城县 }',
    'sources:',
    '  - id: stations',
    '    kind: hj212-listener',
    '    name: Stations',
    '    port: 0',
    ...extra,
    '    stations:',
    '      - { mn: "WL01", site: JC-SW-WULIANG, passwordEnv: HJ212_PW, allowedAddresses: ["10.12.0.0/16", "192.0.2.7", "2001:db8::/32", "10.0.0.0/33", "station.example.org"] }',
  ].join('\n');

function load(yaml: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-hj212-config-'));
  writeFileSync(path.join(dir, 'c.yaml'), yaml);
  return () => loadConfig({ ENVMON_CONFIG: 'c.yaml', HJ212_PW: 'x' }, dir);
}

describe('HJ 212 listener configuration', () => {
  it('takes addresses and CIDR blocks in a station allowlist and names the entries that are neither', () => {
    let error: unknown;
    try {
      load(listener(['    lockout: { seconds: 600, maxSeconds: 60 }']))();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => `${p.path}: ${p.seen} → ${p.expected}`)).toEqual([
      'sources[0].lockout.maxSeconds: 60 → maxSeconds at least seconds',
      'sources[0].stations[0].allowedAddresses[3]: "10.0.0.0/33" → an IP address or a CIDR block such as 10.12.0.0/16',
      'sources[0].stations[0].allowedAddresses[4]: "station.example.org" → an IP address or a CIDR block such as 10.12.0.0/16',
    ]);
  });

  it('defaults the limits against abuse', () => {
    const config = load(listener([]).replace(', "10.0.0.0/33", "station.example.org"', ''))();
    const source = config.sources[0];
    if (source?.kind !== 'hj212-listener') throw new Error('no listener');
    expect({ perAddress: source.maxConnectionsPerAddress, garbage: source.maxGarbageBytes, rejected: source.maxRejectedFrames, lockout: source.lockout }).toEqual({
      perAddress: 8,
      garbage: 4096,
      rejected: 10,
      lockout: { afterFailures: 5, seconds: 60, maxSeconds: 3600 },
    });
  });
});
