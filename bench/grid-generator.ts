/**
 * The stations' side of bench:grid: one TCP connection per station, from the station's own loopback address, to the
 * listener on 127.0.0.1 (loopback only). Frames are written as the bench says; acknowledgements (CN 9014, sent once
 * the listener has queued the upload) are counted with the real time of the latest one.
 */
import { connect, type Socket } from 'node:net';
import type { Station } from './grid-stations.ts';

export interface Generator {
  /** Frames acknowledged so far. */
  acked(): number;
  /** When the latest acknowledgement arrived (ms since the epoch). */
  lastAckAt(): number;
  /** Writes each station's frame; resolves once everything is handed to the sockets. */
  send(frames: readonly (readonly [number, string])[]): Promise<void>;
  close(): void;
}

const ACK = 'CN=9014';

export async function connectStations(stations: readonly Station[], port: number): Promise<Generator> {
  let acked = 0;
  let lastAckAt = 0;
  const sockets: Socket[] = await Promise.all(
    stations.map(
      (s) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, localAddress: s.address });
          let tail = '';
          socket.setNoDelay(true);
          socket.on('data', (d: Buffer) => {
            // A reply may be cut across reads: count whole markers only, keeping the unfinished end.
            const text = tail + d.toString('latin1');
            const n = text.split(ACK).length - 1;
            if (n > 0) [acked, lastAckAt] = [acked + n, Date.now()];
            tail = text.slice(Math.max(text.lastIndexOf(ACK) + ACK.length, text.length - ACK.length));
          });
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  for (const socket of sockets) socket.on('error', () => undefined);
  return {
    acked: () => acked,
    lastAckAt: () => lastAckAt,
    send: async (frames) => {
      await Promise.all(frames.map(([i, text]) => new Promise<void>((resolve) => (sockets[i]?.write(text, () => resolve()) ?? resolve()))));
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
