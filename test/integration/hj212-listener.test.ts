/**
 * Stations pushing HJ 212 packets to the real service: acknowledgements, storage, rejections kept in
 * quarantine, and a listener that survives garbage, oversized frames and slow clients.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame } from '../../sources/hj212/packet.ts';
import type { Service } from '../../workers/main.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

let database: TestDatabase;
let service: Service;
let port: number;

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-hj212-'));
  const file = path.join(dir, 'hj212.yaml');
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: JC-SW-WULIANG, nameZh: 磁窑河武良, nameEn: Wuliang, kind: surface_water, waterBody: river, area: 交城县 }',
      'sources:',
      '  - id: stations',
      '    kind: hj212-listener',
      '    name: HJ 212 stations',
      '    port: 0',
      '    frameTimeoutSeconds: 1',
      // Longer than any test: a connection these tests see closed was closed by the frame deadline.
      '    idleTimeoutSeconds: 3600',
      '    stations:',
      '      - { mn: "WL0000000000000000000001", site: JC-SW-WULIANG, passwordEnv: HJ212_PW_WULIANG }',
    ].join('\n'),
  );
  service = await startTestService(testConfig({ DATABASE_URL: database.url, ENVMON_CONFIG: file, ENVMON_QUEUE_PREFIX: uniquePrefix(), HJ212_PW_WULIANG: 'pw4567' }));
  port = service.listenerPorts.get('stations') ?? 0;
});
afterAll(async () => {
  await service.stop();
  await database.drop();
});

const MN = 'WL0000000000000000000001';
const hourly = (qn: string, pw: string, dataTime: string, nh3: string) =>
  frame(`QN=${qn};ST=21;CN=2061;PW=${pw};MN=${MN};Flag=5;CP=&&DataTime=${dataTime};w21003-Avg=${nh3},w21003-Flag=N;w01001-Avg=7.86,w01001-Flag=N&&`);

function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const readings = () =>
  database.db.selectFrom('reading').innerJoin('parameter', 'parameter.id', 'reading.parameter_id').select(['parameter.code', 'reading.value', 'reading.observed_at', 'reading.flag']).orderBy('parameter.code').execute();

describe('HJ 212 listener', () => {
  it('acknowledges an hourly upload with CN 9014 and stores its readings', async () => {
    const client = await open();
    client.socket.write('garbage before the first frame\r\n');
    client.socket.write(hourly('20261122100000001', 'pw4567', '20261122090000', '1.31'));
    const ack = await waitFor('the acknowledgement', async () => (client.received().includes('\r\n') ? client.received() : null));
    expect(ack).toMatch(/^##\d{4}QN=20261122100000001;ST=91;CN=9014;PW=pw4567;MN=WL0000000000000000000001;Flag=4;CP=&&&&[0-9A-F]{4}\r\n$/);
    const stored = await waitFor('the readings', async () => ((await readings()).length === 2 ? readings() : null));
    expect(stored).toEqual([
      { code: 'nh3_n', value: '1.31', observed_at: new Date('2026-11-22T02:00:00Z'), flag: 'N' },
      { code: 'ph', value: '7.86', observed_at: new Date('2026-11-22T02:00:00Z'), flag: 'N' },
    ]);
    client.socket.destroy();
  });

  it('rejects a wrong password or a bad checksum without acknowledging, keeping the packet (password masked)', async () => {
    const client = await open();
    client.socket.write(hourly('20261122110000001', 'nope99', '20261122100000', '1.5'));
    const corrupted = hourly('20261122110000002', 'pw4567', '20261122100000', '1.6').replace('w21003-Avg=1.6', 'w21003-Avg=9.6');
    client.socket.write(corrupted);
    const items = await waitFor('two quarantined packets', async () => {
      // The two packets are handled concurrently, so their quarantine ids come in either order.
      const rows = await database.db.selectFrom('quarantine').select(['code', 'reason', 'raw']).where('source_id', '=', 'stations').orderBy('code', 'desc').execute();
      return rows.length === 2 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason.replace(/\(expected [0-9A-F]{4}\)/, '(expected …)')])).toEqual([
      ['unauthorized', `wrong password for station MN ${MN}`],
      ['checksum', expect.stringMatching(/^CRC [0-9A-F]{4} does not match the data \(expected …\)$/) as string],
    ]);
    expect(items.every((i) => !i.raw.includes('nope99') && !i.raw.includes('pw4567'))).toBe(true);
    expect(client.received()).toBe('');
    client.socket.destroy();
  });

  it('survives oversized frames and cuts off a client that never finishes its frame', async () => {
    const slow = await open();
    slow.socket.write('##0200QN=2026');
    // frameTimeoutSeconds is 1: the server closes the connection instead of waiting for the rest.
    await slow.closed;

    const big = await open();
    big.socket.write(`##9000${'A'.repeat(2000)}`);
    big.socket.write(hourly('20261122120000001', 'pw4567', '20261122110000', '1.7'));
    await waitFor('the acknowledgement after the oversized frame', async () => big.received().includes('CN=9014'));
    big.socket.destroy();
  });
});
