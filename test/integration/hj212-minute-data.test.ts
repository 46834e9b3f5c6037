/**
 * A grid micro-station pushes real-time data (HJ 212 CN 2011) over TCP to the real service: the minutes are stored
 * apart and, once the hour has ended, the service derives the hour's value (45 or more minutes, GB 3095-2012
 * Table 4) as a derived hourly reading.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame } from '../../sources/hj212/packet.ts';
import type { Service } from '../../workers/main.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const MN = 'GR0000000000000000000001';
const PASSWORD = 'pw4567';

let database: TestDatabase;
let service: Service;
let port: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-minute-'));
  const file = path.join(dir, 'grid.yaml');
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: JC-GRID-001, nameZh: 网格站001, nameEn: Grid 001, kind: air_station, area: 交城县 }',
      'sources:',
      '  - id: grid',
      '    kind: hj212-listener',
      '    name: grid micro-stations',
      '    port: 0',
      '    packetsPerMinute: 1000',
      '    stations:',
      `      - { mn: "${MN}", site: JC-GRID-001, passwordEnv: HJ212_PW_GRID }`,
    ].join('\n'),
  );
  service = await startTestService(testConfig({ DATABASE_URL: database.url, ENVMON_CONFIG: file, HJ212_PW_GRID: PASSWORD, ENVMON_QUEUE_PREFIX: uniquePrefix() }));
  port = service.listenerPorts.get('grid') ?? 0;
});
afterAll(async () => {
  await service.stop();
  await database.drop();
});

/** Real-time PM2.5 at 2026-11-20 09:mm:00 Beijing time, acknowledgement asked for (Flag=5). */
const realTime = (minute: number, pm25: string) => {
  const mm = String(minute).padStart(2, '0');
  return frame(`QN=2026112009${mm}00000;ST=22;CN=2011;PW=${PASSWORD};MN=${MN};Flag=5;CP=&&DataTime=2026112009${mm}00;a34004-Rtd=${pm25},a34004-Flag=N&&`);
};

describe('HJ 212 minute data over TCP', () => {
  it('46 real-time samples of 09:00–10:00 become the derived 10:00 value', async () => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    // 23 samples of 30 and 23 of 41: (690 + 943) / 46 = 1633 / 46 = 35.5 → 36 (GB/T 8170: 5 is odd, up)
    for (let m = 0; m < 46; m++) socket.write(realTime(m, m < 23 ? '30' : '41'));
    await waitFor('46 acknowledgements', async () => ((received.match(/CN=9014/g) ?? []).length === 46 ? true : null));
    socket.destroy();
    // The hour ending 10:00 Beijing time is 02:00Z.
    const hour = new Date('2026-11-20T02:00:00Z');
    // The uploads reach storage in batches of 200 ms: the hour may be derived from its first 45 minutes and derived
    // again when the 46th is stored. The test waits for the derivation of all 46.
    await waitFor('the hour derived from all 46 minutes', async () => ((await database.db.selectFrom('minute_hour').select('minute_rows').where('hour_end', '=', hour).executeTakeFirst())?.minute_rows === 46 ? true : null), 90_000);
    const derived = await database.db.selectFrom('reading').select(['period', 'observed_at', 'value', 'flag', 'derived']).where('period', '=', 'hour').where('observed_at', '=', hour).executeTakeFirst();
    expect(derived).toEqual({ period: 'hour', observed_at: hour, value: '36', flag: 'N', derived: true });
    expect(await database.db.selectFrom('minute_hour').select(['minute_rows', 'valid_minutes', 'outcome']).execute()).toEqual([{ minute_rows: 46, valid_minutes: 46, outcome: 'derived' }]);
  }, 120_000);
});
