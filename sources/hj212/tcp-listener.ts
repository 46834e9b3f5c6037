/**
 * The HJ 212 TCP listener: stations connect and push packets. Each packet is checked (framing, CRC, station MN
 * and password), acknowledged when its Flag asks for it (CN 9014 for data, 9013 otherwise), and its readings are
 * handed on. Defences: a connection limit, a largest frame, a packet rate per connection, and two clocks — an
 * idle timeout and a deadline for completing a frame once it has begun, so a client trickling bytes
 * (slowloris) is cut off too. Garbage between frames is skipped; a connection sending mostly garbage is closed.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import type { SourceRecord } from '../source-adapter.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { interpretFrame } from './hj212-records.ts';
import { acknowledgement, needsReply, type Hj212Packet } from './packet.ts';
import { maskPassword, type StationBinding } from './packet-readings.ts';
import { SplitAssembler } from './split-assembler.ts';

export interface ListenerStation extends StationBinding {
  mn: string;
  /** The station's access password (PW); from the environment, never logged. */
  password: string;
}

export interface ListenerOptions {
  host: string;
  port: number;
  stations: readonly ListenerStation[];
  maxConnections: number;
  /** Largest data segment accepted, characters (HJ 212-2017: 1024). */
  maxDataLength: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  /** A frame must be complete within this long of its first byte. */
  frameTimeoutMs: number;
  /** Packets accepted per connection per minute; beyond that packets are dropped, and at twice that the connection closes. */
  packetsPerMinute: number;
}

export interface ListenerHandlers {
  /** A checked upload; its promise settles once the readings are handed on (queued). */
  onRecord(record: SourceRecord, packet: Hj212Packet): Promise<void>;
  /** Input rejected before it became readings (bad CRC, unknown station, wrong password). */
  onRejected(record: SourceRecord): Promise<void>;
}

export interface Hj212Listener {
  address(): AddressInfo;
  close(): Promise<void>;
}

const GARBAGE_LIMIT = 4096;

export async function startHj212Listener(options: ListenerOptions, handlers: ListenerHandlers, log: Logger): Promise<Hj212Listener> {
  const stations = new Map(options.stations.map((s) => [s.mn, s]));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, options, stations, handlers, log);
  });
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  log.info('HJ 212 listener started', { host: options.host, port: (server.address() as AddressInfo).port, stations: stations.size });
  return {
    address: () => server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function serve(socket: Socket, options: ListenerOptions, stations: Map<string, ListenerStation>, handlers: ListenerHandlers, log: Logger): void {
  const splitter = new FrameSplitter(options.maxDataLength);
  const assembler = new SplitAssembler();
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  let garbage = 0;
  let frameStarted: number | null = null;
  let windowStart = Date.now();
  let packetsInWindow = 0;
  // Handlers run one after another so acknowledgements follow the order of the packets.
  let chain: Promise<void> = Promise.resolve();
  const close = (reason: string) => {
    log.warn('HJ 212 connection closed', { peer, reason });
    socket.destroy();
  };

  socket.setTimeout(options.idleTimeoutMs, () => close('idle'));
  const deadline = setInterval(() => {
    if (frameStarted !== null && Date.now() - frameStarted > options.frameTimeoutMs) close('frame not completed in time');
  }, Math.min(1000, options.frameTimeoutMs));
  socket.once('close', () => clearInterval(deadline));
  socket.on('error', () => undefined);

  socket.on('data', (chunk: Buffer) => {
    for (const event of splitter.push(chunk)) {
      if (event.kind === 'garbage') {
        garbage += event.bytes;
        continue;
      }
      if (event.kind === 'malformed') {
        chain = chain.then(() => handlers.onRejected({ raw: event.text, readings: [], problem: event.reason }));
        garbage += event.text.length;
        continue;
      }
      garbage = 0;
      const now = Date.now();
      if (now - windowStart >= 60_000) {
        windowStart = now;
        packetsInWindow = 0;
      }
      packetsInWindow++;
      if (packetsInWindow > 2 * options.packetsPerMinute) return close('packet rate limit exceeded');
      if (packetsInWindow > options.packetsPerMinute) continue;
      const text = event.text;
      chain = chain.then(() => handleFrame(text, socket, stations, assembler, handlers)).catch((error: unknown) => {
        log.error('HJ 212 packet not handed on', { peer, error: error instanceof Error ? error.message : String(error) });
      });
    }
    if (garbage > GARBAGE_LIMIT) return close('too much data that is not HJ 212');
    frameStarted = splitter.pending > 0 ? (frameStarted ?? Date.now()) : null;
  });
}

async function handleFrame(text: string, socket: Socket, stations: Map<string, ListenerStation>, assembler: SplitAssembler, handlers: ListenerHandlers): Promise<void> {
  const outcome = interpretFrame(text, (mn) => stations.get(mn), assembler, Date.now());
  if (outcome.kind === 'rejected') return handlers.onRejected(outcome.record);
  const packet = outcome.packet;
  const station = stations.get(packet.mn);
  if (!station || !samePassword(station.password, packet.pw)) {
    return handlers.onRejected({
      raw: maskPassword(text),
      readings: [],
      problem: station ? `wrong password for station MN ${packet.mn}` : `unknown station MN ${packet.mn}`,
      problemCode: station ? 'unauthorized' : 'unknown_site',
    });
  }
  if (outcome.kind === 'record') await handlers.onRecord(outcome.record, packet);
  // Acknowledge only what has been handed on, so an upload that was not queued is sent again by the station.
  if (needsReply(packet) && !socket.destroyed) socket.write(acknowledgement(packet));
}

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
