/**
 * The county of bench:grid: its 720 grid micro-stations (6 pollutants, HJ 212 CN 2011 real-time data every minute),
 * its national air station (the same every minute, plus its own hourly values, CN 2061) and its four river sections
 * (hourly CN 2061 water data), all behind one HJ 212 listener; the configuration file and environment that describe
 * them to envmon, and the frames they send.
 *
 * Rules: `grid-pm25-1h`, PM2.5 hourly value over 115 μg/m³ — the upper end of HJ 633-2012 Table 1's IAQI 150 band
 * (light pollution), the usual trigger of a county's grid warning — and `section-nh3n`, ammonia nitrogen over
 * 1.0 mg/L (GB 3838-2002 Table 1, class III). One grid station in twenty and one section breach them.
 */
import { randomBytes } from 'node:crypto';
import { BEIJING_OFFSET_MS } from '../lib/time.ts';
import { frame } from '../sources/hj212/packet.ts';

export interface Station {
  code: string;
  mn: string;
  password: string;
  passwordEnv: string;
  kind: 'grid' | 'national' | 'section';
  /** The loopback address it connects from (a station per address, as on a real network). */
  address: string;
}

export const AIR = [
  ['pm2_5', 'a34004'],
  ['pm10', 'a34002'],
  ['so2', 'a21026'],
  ['no2', 'a21004'],
  ['co', 'a21005'],
  ['o3', 'a05024'],
] as const;
const WATER = [
  ['ph', 'w01001'],
  ['do', 'w01009'],
  ['nh3_n', 'w21003'],
  ['codmn', 'w01019'],
  ['tp', 'w21011'],
] as const;

export const GRID_RULE = 'grid-pm25-1h';
export const SECTION_RULE = 'section-nh3n';

export function countyStations(gridCount: number): Station[] {
  const station = (i: number, code: string, kind: Station['kind']): Station => ({
    code,
    mn: `JC${String(i).padStart(22, '0')}`,
    password: randomBytes(4).toString('hex'),
    passwordEnv: `HJ212_PW_${code.replace(/-/g, '_')}`,
    kind,
    address: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  });
  return [
    ...Array.from({ length: gridCount }, (_, s) => station(s, `JC-GRID-${String(s + 1).padStart(3, '0')}`, 'grid')),
    station(gridCount, 'JC-NAT-01', 'national'),
    ...Array.from({ length: 4 }, (_, r) => station(gridCount + 1 + r, `JC-RIVER-0${r + 1}`, 'section')),
  ];
}

/** Whether a station's values breach its rule: one grid station in twenty, the first section. */
export const breaches = (s: Station, index: number): boolean => (s.kind === 'grid' && index % 20 === 7) || s.code === 'JC-RIVER-01';

/** The configuration file (YAML) and the environment (passwords, queues, mail) for the county. */
export function countyConfig(stations: readonly Station[], options: { port: number; groupSeconds: number; packetsPerMinute: number }): { yaml: string; env: Record<string, string> } {
  const site = (s: Station) =>
    `  - { code: ${s.code}, nameZh: ${s.kind === 'section' ? '断面' : s.kind === 'national' ? '国控站' : '网格站'}${s.code.slice(-3)}, nameEn: ${s.code}, kind: ${s.kind === 'section' ? 'surface_water' : 'air_station'}, area: 交城县 }`;
  const yaml = [
    'sites:',
    ...stations.map(site),
    'sources:',
    '  - id: county-hj212',
    '    kind: hj212-listener',
    '    name: county HJ 212 listener',
    '    host: 127.0.0.1',
    `    port: ${options.port}`,
    `    maxConnections: ${stations.length + 100}`,
    `    packetsPerMinute: ${options.packetsPerMinute}`,
    '    stations:',
    ...stations.map((s) => `      - { mn: "${s.mn}", site: ${s.code}, passwordEnv: ${s.passwordEnv}, allowedAddresses: ["${s.address}"] }`),
    'rules:',
    `  - { id: ${GRID_RULE}, kind: threshold, scope: { siteKinds: [air_station] }, parameter: pm2_5, window: 1h, limit: 115, limitSource: "HJ 633-2012 表1 IAQI 150 (轻度污染上限)", severity: warning }`,
    `  - { id: ${SECTION_RULE}, kind: threshold, scope: { siteKinds: [surface_water] }, parameter: nh3_n, window: 1h, limit: 1.0, limitSource: "GB 3838-2002 表1 Ⅲ类 氨氮", severity: warning }`,
    'recipients:',
    '  - { id: county-duty, name: 县环境监测值班, email: duty@county.example.org, dailySummary: false }',
    'notifications:',
    `  groupSeconds: ${options.groupSeconds}`,
  ].join('\n');
  return { yaml, env: Object.fromEntries(stations.map((s) => [s.passwordEnv, s.password])) };
}

/** A plausible value of an air pollutant at a station and minute; breaching stations' PM2.5 stays above 115. */
export function airValue(stationIndex: number, p: number, minute: number, breach: boolean): string {
  if (p === 4) return ((stationIndex % 9) / 10 + 0.3 + (minute % 7) / 100).toFixed(2);
  if (p === 0 && breach) return String(140 + ((stationIndex + minute) % 30));
  return String(20 + ((stationIndex * 7 + p * 13 + minute * 3) % 60));
}

/** `YYYYMMDDhhmmss` in Beijing time. */
function dataTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** A station's real-time sample (CN 2011) taken at `atMs`, asking for an acknowledgement (Flag=5). */
export function realTimeFrame(s: Station, stationIndex: number, atMs: number, breach: boolean): string {
  const minute = Math.floor(atMs / 60_000);
  const values = AIR.map(([, code], p) => `${code}-Rtd=${airValue(stationIndex, p, minute, breach)},${code}-Flag=N`).join(';');
  return frame(`QN=${dataTime(atMs)}000;ST=22;CN=2011;PW=${s.password};MN=${s.mn};Flag=5;CP=&&DataTime=${dataTime(atMs)};${values}&&`);
}

/** A station's own hourly values (CN 2061) for the hour starting at `hourStartMs`. */
export function hourlyFrame(s: Station, stationIndex: number, hourStartMs: number, breach: boolean): string {
  const values =
    s.kind === 'section'
      ? WATER.map(([parameter, code]) => `${code}-Avg=${parameter === 'nh3_n' ? (breach ? '1.42' : '0.38') : parameter === 'ph' ? '7.6' : parameter === 'do' ? '7.9' : parameter === 'tp' ? '0.08' : '3.1'},${code}-Flag=N`)
      : AIR.map(([, code], p) => `${code}-Avg=${airValue(stationIndex, p, 0, breach)},${code}-Flag=N`);
  return frame(`QN=${dataTime(hourStartMs + 3_600_000)}000;ST=${s.kind === 'section' ? 21 : 22};CN=2061;PW=${s.password};MN=${s.mn};Flag=5;CP=&&DataTime=${dataTime(hourStartMs)};${values.join(';')}&&`);
}
