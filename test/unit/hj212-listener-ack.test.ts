/** The listener acknowledges an upload only once it has been handed on: one that could not be queued is sent again. */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { frame } from '../../sources/hj212/packet.ts';
import { startHj212Listener } from '../../sources/hj212/tcp-listener.ts';
import type { SourceRecord } from '../../sources/source-adapter.ts';
import { waitFor } from '../support/wait-for.ts';

const MN = 'WL0000000000000000000001';
const upload = (qn: string, nh3: string) => frame(`QN=${qn};ST=21;CN=2061;PW=pw;MN=${MN};Flag=5;CP=&&DataTime=20261122090000;w21003-Avg=${nh3},w21003-Flag=N&&`);

describe('HJ 212 acknowledgements', () => {
  it('does not acknowledge an upload whose readings could not be handed on', async () => {
    const handed: SourceRecord[] = [];
    let calls = 0;
    const listener = await startHj212Listener(
      {
        host: '127.0.0.1',
        port: 0,
        stations: [{ mn: MN, site: 'S1', password: 'pw' }],
        maxConnections: 10,
        maxConnectionsPerAddress: 10,
        maxDataLength: 1024,
        idleTimeoutMs: 10_000,
        frameTimeoutMs: 10_000,
        packetsPerMinute: 100,
        maxGarbageBytes: 4096,
        maxRejectedFrames: 10,
        lockout: { afterFailures: 5, initialMs: 60_000, maxMs: 3_600_000 },
      },
      {
        // The queue refuses the first upload (as when Redis is down) and takes the second.
        onRecord: async (record) => {
          calls++;
          if (calls === 1) throw new Error('queue unavailable');
          handed.push(record);
        },
        onRejected: async () => undefined,
        onLockout: async () => undefined,
      },
      createLogger({ level: 'error', write: () => undefined }),
    );
    const socket = connect(listener.address().port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.write(upload('20261122100000001', '1.1') + upload('20261122100000002', '1.2'));
    await waitFor('the second upload handed on', async () => handed.length === 1 && received.includes('\r\n'));
    socket.destroy();
    await listener.close();
    expect(received.match(/QN=\d+/g)).toEqual(['QN=20261122100000002']);
  });
});
