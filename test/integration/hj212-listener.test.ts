/**
 * Stations pushing HJ 212 packets to the real service, and clients that abuse the listener: acknowledgements,
 * storage, rejections kept in quarantine (one write per batch), garbage and connection floods, password guessing,
 * slow and oversized frames, split packets, a per-station address allowlist. After every abuse a good station on
 * its own address is still served. Distinct client addresses come from binding to 127.0.0.x (all of 127/8 is
 * loopback on Linux).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame } from '../../sources/hj212/packet.ts';
import type { Service } from '../../workers/main.ts';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '../support/test-database.ts';
import { startTestService, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const MN = 'WL0000000000000000000001';
const MN_ALLOWLISTED = 'AG0000000000000000000002';
const PASSWORD = 'pw4567';
// The limits configured below; the expected counts follow from them.
const PER_ADDRESS = 4;
const MAX_REJECTED = 10;
const LOCKOUT_AFTER = 5;
const LOCKOUT_SECONDS = 60;

let database: TestDatabase;
let service: Service;
let port: number;
let env: NodeJS.ProcessEnv;
let variables: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-hj212-'));
  const file = path.join(dir, 'hj212.yaml');
  writeFileSync(
    file,
    [
      'sites:',
      '  - { code: JC-SW-WULIANG, nameZh: 磁窑河武良, nameEn: Wuliang, kind: surface_water, waterBody: river, area: 交城县 }',
      '  - { code: JC-SW-ANGUQIAO, nameZh: 安固桥, nameEn: Anguqiao, kind: surface_water, waterBody: river, area: 交城县 }',
      'sources:',
      '  - id: stations',
      '    kind: hj212-listener',
      '    name: HJ 212 stations',
      '    port: 0',
      '    frameTimeoutSeconds: 2',
      // Longer than any test: a connection these tests see closed was closed by the frame deadline.
      '    idleTimeoutSeconds: 3600',
      `    maxConnectionsPerAddress: ${PER_ADDRESS}`,
      `    maxRejectedFrames: ${MAX_REJECTED}`,
      '    maxGarbageBytes: 4096',
      `    lockout: { afterFailures: ${LOCKOUT_AFTER}, seconds: ${LOCKOUT_SECONDS}, maxSeconds: 3600 }`,
      '    stations:',
      `      - { mn: "${MN}", site: JC-SW-WULIANG, passwordEnv: HJ212_PW_WULIANG }`,
      `      - { mn: "${MN_ALLOWLISTED}", site: JC-SW-ANGUQIAO, passwordEnv: HJ212_PW_ANGUQIAO, allowedAddresses: ["127.0.0.20"] }`,
    ].join('\n'),
  );
  variables = { DATABASE_URL: database.url, ENVMON_CONFIG: file, HJ212_PW_WULIANG: PASSWORD, HJ212_PW_ANGUQIAO: PASSWORD };
  env = cleanEnv(variables);
  service = await startTestService(testConfig({ ...variables, ENVMON_QUEUE_PREFIX: uniquePrefix() }));
  port = service.listenerPorts.get('stations') ?? 0;
});
afterAll(async () => {
  await service.stop();
  await database.drop();
});

const upload = (mn: string, qn: string, pw: string, dataTime: string, nh3: string, flag = 5) =>
  frame(`QN=${qn};ST=21;CN=2061;PW=${pw};MN=${mn};Flag=${flag};CP=&&DataTime=${dataTime};w21003-Avg=${nh3},w21003-Flag=N;w01001-Avg=7.86,w01001-Flag=N&&`);
const hourly = (qn: string, pw: string, dataTime: string, nh3: string) => upload(MN, qn, pw, dataTime, nh3);

interface Client {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

/** A client connected from `localAddress` (a 127.0.0.x address stands for a host of its own). */
function open(localAddress = '127.0.0.1', listenerPort = port): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: listenerPort, host: '127.0.0.1', localAddress });
    let data = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    // A server that hangs up while the client is still writing resets the connection; that is expected here.
    socket.on('error', () => undefined);
    const closedPromise = new Promise<void>((done) => socket.once('close', () => ((closed = true), done())));
    socket.once('connect', () => resolve({ socket, received: () => data, closed: closedPromise, isClosed: () => closed }));
    socket.once('error', reject);
  });
}

/** Resolves when the client received `marker` or the connection closed, whichever comes first. */
function ackOrClose(client: Client, marker: string): Promise<'ack' | 'closed'> {
  return new Promise((resolve) => {
    if (client.received().includes(marker)) return resolve('ack');
    if (client.isClosed()) return resolve('closed');
    const onData = () => {
      if (client.received().includes(marker)) done('ack');
    };
    const onClose = () => done(client.received().includes(marker) ? 'ack' : 'closed');
    const done = (outcome: 'ack' | 'closed') => {
      client.socket.off('data', onData);
      client.socket.off('close', onClose);
      resolve(outcome);
    };
    client.socket.on('data', onData);
    client.socket.once('close', onClose);
  });
}

const readingsOf = (site: string, observedAt: Date) =>
  database.db
    .selectFrom('reading')
    .innerJoin('parameter', 'parameter.id', 'reading.parameter_id')
    .innerJoin('site', 'site.id', 'reading.site_id')
    .select(['parameter.code', 'reading.value'])
    .where('site.code', '=', site)
    .where('reading.observed_at', '=', observedAt)
    .orderBy('parameter.code')
    .execute();

const lastQuarantineId = async () => Number((await database.db.selectFrom('quarantine').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
const quarantinedAfter = (id: number) => database.db.selectFrom('quarantine').select(['id', 'code', 'reason', 'raw', 'received_at']).where('id', '>', id).orderBy('id').execute();

/** A real station on its own address reports one hour: it is acknowledged and its readings are stored. */
async function stationStillServed(localAddress: string, hour: number, nh3: string): Promise<void> {
  const client = await open(localAddress);
  const dataTime = `20261122${String(hour).padStart(2, '0')}0000`;
  client.socket.write(hourly(`2026112223${String(hour).padStart(2, '0')}00001`, PASSWORD, dataTime, nh3));
  expect(await ackOrClose(client, 'CN=9014')).toBe('ack');
  // DataTime is the hour's start in Beijing time; the stored end is an hour later, 8 hours earlier in UTC.
  const observedAt = new Date(Date.UTC(2026, 10, 22, hour + 1 - 8));
  const stored = await waitFor(`the readings of ${dataTime}`, async () => ((await readingsOf('JC-SW-WULIANG', observedAt)).length === 2 ? readingsOf('JC-SW-WULIANG', observedAt) : null));
  expect(stored).toEqual([
    { code: 'nh3_n', value: nh3 },
    { code: 'ph', value: '7.86' },
  ]);
  client.socket.destroy();
}

describe('HJ 212 listener', () => {
  it('acknowledges an hourly upload with CN 9014 and stores its readings', async () => {
    const client = await open();
    client.socket.write('garbage before the first frame\r\n');
    client.socket.write(hourly('20261122100000001', PASSWORD, '20261122090000', '1.31'));
    expect(await ackOrClose(client, '\r\n')).toBe('ack');
    expect(client.received()).toMatch(/^##\d{4}QN=20261122100000001;ST=91;CN=9014;PW=pw4567;MN=WL0000000000000000000001;Flag=4;CP=&&&&[0-9A-F]{4}\r\n$/);
    const observedAt = new Date('2026-11-22T02:00:00Z');
    const stored = await waitFor('the readings', async () => ((await readingsOf('JC-SW-WULIANG', observedAt)).length === 2 ? readingsOf('JC-SW-WULIANG', observedAt) : null));
    expect(stored).toEqual([
      { code: 'nh3_n', value: '1.31' },
      { code: 'ph', value: '7.86' },
    ]);
    client.socket.destroy();
  });

  it('acknowledges with CN 9013 what is not a data upload, and only what asks for a reply', async () => {
    const before = await lastQuarantineId();
    const client = await open('127.0.0.8');
    // Flag 4: no reply wanted; Flag 5: reply wanted. CN 3020 uploads station parameters (no readings).
    client.socket.write(upload(MN, '20261122110000001', PASSWORD, '20261122100000', '1.41', 4));
    client.socket.write(frame(`QN=20261122110000002;ST=21;CN=3020;PW=${PASSWORD};MN=${MN};Flag=5;CP=&&DataTime=20261122100000;PolId=w21003;i13004-Info=1&&`));
    client.socket.write(hourly('20261122110000003', PASSWORD, '20261122100000', '1.41'));
    await waitFor('two acknowledgements', async () => (client.received().match(/\r\n/g) ?? []).length === 2);
    const replies = client.received().split('\r\n').filter(Boolean).map((r) => /QN=(\d+);ST=91;CN=(\d+);/.exec(r)?.slice(1));
    expect(replies).toEqual([
      ['20261122110000002', '9013'],
      ['20261122110000003', '9014'],
    ]);
    // Acknowledged once queued; stored a moment later.
    expect(await waitFor('the readings', async () => (await readingsOf('JC-SW-WULIANG', new Date('2026-11-22T03:00:00Z'))).length === 2)).toBe(true);
    expect(await quarantinedAfter(before)).toEqual([]);
    client.socket.destroy();
  });

  it('rejects a wrong password or a bad checksum without acknowledging, keeping both (password masked) in one write', async () => {
    const before = await lastQuarantineId();
    const client = await open('127.0.0.9');
    client.socket.write(hourly('20261122120000001', 'nope99', '20261122110000', '1.5'));
    const corrupted = hourly('20261122120000002', PASSWORD, '20261122110000', '1.6').replace('w21003-Avg=1.6', 'w21003-Avg=9.6');
    client.socket.write(corrupted);
    const items = await waitFor('two quarantined packets', async () => {
      const rows = await quarantinedAfter(before);
      return rows.length >= 2 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason.replace(/\(expected [0-9A-F]{4}\)/, '(expected …)')])).toEqual([
      ['unauthorized', `wrong password for station MN ${MN}`],
      ['checksum', expect.stringMatching(/^CRC [0-9A-F]{4} does not match the data \(expected …\)$/) as string],
    ]);
    expect(new Set(items.map((i) => i.received_at.toISOString())).size).toBe(1);
    expect(items.every((i) => !i.raw.includes('nope99') && !i.raw.includes(PASSWORD))).toBe(true);
    expect(client.received()).toBe('');
    client.socket.destroy();
  });

  it('closes a connection flooding garbage once its budget is spent, quarantining at most the cap in one write', async () => {
    const before = await lastQuarantineId();
    // 2 MiB of 100-byte pieces, each starting with "##" and an invalid length field: each a malformed frame.
    const unit = `##XYZW${'x'.repeat(94)}`;
    const flood = await open('127.0.0.2');
    flood.socket.write(unit.repeat((2 * 2 ** 20) / 100));
    await flood.closed;
    const items = await waitFor('the quarantined frames', async () => {
      const rows = await quarantinedAfter(before);
      return rows.length > 0 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason])).toEqual(Array(MAX_REJECTED).fill(['malformed', 'invalid length field "XYZW"']));
    expect(new Set(items.map((i) => i.received_at.toISOString())).size).toBe(1);

    // 2 MiB without a single "##": nothing to quarantine, cut off after 4096 bytes.
    const noise = await open('127.0.0.2');
    noise.socket.write('x'.repeat(2 * 2 ** 20));
    await noise.closed;

    await stationStillServed('127.0.0.12', 12, '1.12');
    expect(await quarantinedAfter(before)).toHaveLength(MAX_REJECTED);
  });

  it('locks an address out of a station after repeated wrong passwords, shows it in sources show, and keeps serving the station', async () => {
    const before = await lastQuarantineId();
    const guesser = await open('127.0.0.4');
    guesser.socket.write(Array.from({ length: 300 }, (_, i) => hourly(`2026112213${String(i).padStart(7, '0')}`, `g${String(i).padStart(5, '0')}`, '20261122120000', '9.9')).join(''));
    await guesser.closed;
    const items = await waitFor('the wrong passwords', async () => {
      const rows = await quarantinedAfter(before);
      return rows.length > 0 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason])).toEqual(Array(LOCKOUT_AFTER).fill(['unauthorized', `wrong password for station MN ${MN}`]));

    // Locked out: even the right password from that address is refused, unacknowledged and not stored.
    const retry = await open('127.0.0.4');
    retry.socket.write(hourly('20261122130000999', PASSWORD, '20261122200000', '9.9'));
    expect(await ackOrClose(retry, 'CN=9014')).toBe('closed');

    // Another process sees the lockout.
    const shown = await runEnvmon(['sources', 'show', 'stations', '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const { lockouts } = JSON.parse(shown.stdout) as { lockouts: { mn: string; address: string; level: number; failures: number; lockedAt: string; lockedUntil: string }[] };
    expect(lockouts.map((l) => ({ mn: l.mn, address: l.address, level: l.level, failures: l.failures, seconds: (Date.parse(l.lockedUntil) - Date.parse(l.lockedAt)) / 1000 }))).toEqual([
      { mn: MN, address: '127.0.0.4', level: 1, failures: LOCKOUT_AFTER, seconds: LOCKOUT_SECONDS },
    ]);
    const text = await runEnvmon(['sources', 'show', 'stations'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`locked out\\s+${MN} from 127\\.0\\.0\\.4 until \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}`));

    await stationStillServed('127.0.0.14', 13, '1.13');
    expect(await readingsOf('JC-SW-WULIANG', new Date('2026-11-22T13:00:00Z'))).toEqual([]);
    expect(await quarantinedAfter(before)).toHaveLength(LOCKOUT_AFTER);

    // A listener started afterwards (a restart) still refuses the address.
    const second = await startTestService(testConfig({ ...variables, ENVMON_QUEUE_PREFIX: uniquePrefix() }));
    try {
      const again = await open('127.0.0.4', second.listenerPorts.get('stations'));
      again.socket.write(hourly('20261122130000998', PASSWORD, '20261122200000', '9.9'));
      expect(await ackOrClose(again, 'CN=9014')).toBe('closed');
    } finally {
      await second.stop();
    }
  });

  it('limits connections per address, so one address cannot lock the stations out', async () => {
    const flood: Client[] = [];
    for (let i = 0; i < 400; i++) flood.push(await open('127.0.0.3'));
    await waitFor('the connections over the per-address limit to be closed', async () => flood.filter((c) => c.isClosed()).length >= 400 - PER_ADDRESS);
    await stationStillServed('127.0.0.13', 14, '1.14');
    expect(flood.filter((c) => !c.isClosed())).toHaveLength(PER_ADDRESS);
    for (const c of flood) c.socket.destroy();
  });

  it('cuts off a client that trickles a frame, and survives an oversized frame', async () => {
    const before = await lastQuarantineId();
    const slow = await open('127.0.0.5');
    slow.socket.write('##0200QN=2026');
    // One byte every 200 ms never finishes the frame within frameTimeoutSeconds (2 s): the server closes it.
    const trickle = setInterval(() => slow.socket.write('1'), 200);
    await slow.closed;
    clearInterval(trickle);

    const big = await open('127.0.0.6');
    big.socket.write(`##9000${'A'.repeat(2000)}`);
    big.socket.write(hourly('20261122160000001', PASSWORD, '20261122150000', '1.7'));
    expect(await ackOrClose(big, 'CN=9014')).toBe('ack');
    const items = await waitFor('the oversized frame in quarantine', async () => {
      const rows = await quarantinedAfter(before);
      return rows.length > 0 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason])).toEqual([['malformed', 'data segment of 9000 exceeds the limit of 1024']]);
    expect(await waitFor('the readings after it', async () => ((await readingsOf('JC-SW-WULIANG', new Date('2026-11-22T08:00:00Z'))).length === 2 ? true : null))).toBe(true);
    big.socket.destroy();
    await stationStillServed('127.0.0.15', 16, '1.16');
    expect(await quarantinedAfter(before)).toHaveLength(1);
  });

  it('times each frame on its own: a station whose writes always end inside the next frame is not cut off', async () => {
    // Twelve uploads over a slow link: every write finishes one frame and begins the next, one write every 300 ms, so
    // a partial frame is always pending for 3.6 s while each frame completes within 300 ms of its first byte
    // (frameTimeoutSeconds is 2).
    const hh = (h: number) => String(h).padStart(2, '0');
    const frames = Array.from({ length: 12 }, (_, h) => Buffer.from(hourly(`20261123${hh(h)}0000001`, PASSWORD, `20261123${hh(h)}0000`, `1.2${hh(h)}`), 'latin1'));
    const head = (f: Buffer | undefined) => (f ? f.subarray(0, Math.floor(f.length / 2)) : Buffer.alloc(0));
    const tail = (f: Buffer) => f.subarray(Math.floor(f.length / 2));
    const client = await open('127.0.0.16');
    client.socket.write(head(frames[0]));
    const acks = () => client.received().split('CN=9014').length - 1;
    for (const [i, f] of frames.entries()) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the slow link
      client.socket.write(Buffer.concat([tail(f), head(frames[i + 1])]));
      expect(await waitFor(`the acknowledgement of upload ${i + 1}`, async () => (acks() >= i + 1 || client.isClosed() ? acks() : null))).toBe(i + 1);
    }
    expect(client.isClosed()).toBe(false);
    client.socket.destroy();
  });

  it('reassembles a split upload arriving in pieces, acknowledging each part', async () => {
    const before = await lastQuarantineId();
    // Flag 7: reply wanted (A), split (D), HJ 212-2017. Part 1 holds NH3-N, part 2 pH.
    // Only the first part carries DataTime: the second means nothing on its own.
    const part = (pno: number, cp: string) => frame(`QN=20261122180000001;ST=21;CN=2061;PW=${PASSWORD};MN=${MN};Flag=7;PNUM=2;PNO=${pno};CP=&&${cp}&&`);
    const bytes = part(1, 'DataTime=20261122170000;w21003-Avg=1.8,w21003-Flag=N') + part(2, 'w01001-Avg=7.91,w01001-Flag=N');
    const client = await open('127.0.0.7');
    client.socket.setNoDelay(true);
    for (const piece of [bytes.slice(0, 10), bytes.slice(10, 120), bytes.slice(120)]) await new Promise<void>((resolve) => client.socket.write(piece, () => resolve()));
    await waitFor('two acknowledgements', async () => (client.received().match(/CN=9014/g) ?? []).length === 2);
    const stored = await waitFor('the reassembled readings', async () => ((await readingsOf('JC-SW-WULIANG', new Date('2026-11-22T10:00:00Z'))).length === 2 ? readingsOf('JC-SW-WULIANG', new Date('2026-11-22T10:00:00Z')) : null));
    expect(stored).toEqual([
      { code: 'nh3_n', value: '1.8' },
      { code: 'ph', value: '7.91' },
    ]);
    expect(await quarantinedAfter(before)).toEqual([]);
    client.socket.destroy();
  });

  it('accepts a station with an address allowlist only from its addresses', async () => {
    const before = await lastQuarantineId();
    const stranger = await open('127.0.0.21');
    stranger.socket.write(upload(MN_ALLOWLISTED, '20261122190000001', PASSWORD, '20261122180000', '0.9'));
    const items = await waitFor('the refused upload', async () => {
      const rows = await quarantinedAfter(before);
      return rows.length > 0 ? rows : null;
    });
    expect(items.map((i) => [i.code, i.reason])).toEqual([['unauthorized', `address 127.0.0.21 is not allowed for station MN ${MN_ALLOWLISTED}`]]);
    expect(stranger.received()).toBe('');
    stranger.socket.destroy();

    const station = await open('127.0.0.20');
    station.socket.write(upload(MN_ALLOWLISTED, '20261122190000002', PASSWORD, '20261122180000', '0.95'));
    expect(await ackOrClose(station, 'CN=9014')).toBe('ack');
    const stored = await waitFor('the allowlisted readings', async () => ((await readingsOf('JC-SW-ANGUQIAO', new Date('2026-11-22T11:00:00Z'))).length === 2 ? readingsOf('JC-SW-ANGUQIAO', new Date('2026-11-22T11:00:00Z')) : null));
    expect(stored).toEqual([
      { code: 'nh3_n', value: '0.95' },
      { code: 'ph', value: '7.86' },
    ]);
    station.socket.destroy();
  });
});
