/**
 * The HJ 212 TCP listener: stations connect and push packets. Each packet is checked (framing, CRC, station MN,
 * address allowlist, password) before anything else happens to it, acknowledged when its Flag asks for it (CN
 * 9014 for data, 9013 otherwise), and its readings are handed on.
 *
 * The network is hostile, so every resource a client can take is bounded:
 * - connections: `maxConnections` in all and `maxConnectionsPerAddress` per client address, so one address cannot
 *   take them all and lock the stations out;
 * - bytes: frames up to `maxDataLength`; two clocks — an idle timeout and a deadline for completing a frame once it
 *   has begun, so a client trickling bytes (slowloris) is cut off; `packetsPerMinute` per connection;
 * - garbage: since its last accepted packet a connection may send `maxGarbageBytes` outside any frame and
 *   `maxRejectedFrames` rejected frames, each counted as it is met; the next closes the connection;
 * - the quarantine: a connection's rejections are handed on in batches (one quarantine write per batch, at most
 *   `rejectionBatch.maxItems` or `rejectionBatch.maxDelayMs` apart), never one write per frame;
 * - password guessing: wrong passwords for an MN from one address lock that address out of that MN for a growing
 *   time (`PasswordLockouts`), while the station on its own address keeps reporting.
 */
import { BlockList, createServer, isIPv4, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import type { Hj212CloseReason, Hj212ListenerMetrics } from '../../lib/metrics.ts';
import type { SourceRecord } from '../source-adapter.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { canonicalUnitOf } from './hj212-records.ts';
import { acknowledgement, needsReply, parseFrame, type Hj212Packet } from './packet.ts';
import { isDataUpload, maskPassword, packetRecord, type StationBinding } from './packet-readings.ts';
import type { Lockout } from '../../db/repositories/hj212-lockouts.repository.ts';
import { PasswordLockouts, type LockoutPolicy } from './password-lockout.ts';
import { SplitAssembler } from './split-assembler.ts';

export interface ListenerStation extends StationBinding {
  mn: string;
  /** The station's access password (PW); from the environment, never logged. */
  password: string;
  /** Addresses or CIDR blocks the station may report from; default any. */
  allowedAddresses?: readonly string[];
}

export interface ListenerOptions {
  host: string;
  port: number;
  stations: readonly ListenerStation[];
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Largest data segment accepted, characters (HJ 212-2017: 1024). */
  maxDataLength: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  /** A frame must be complete within this long of its first byte. */
  frameTimeoutMs: number;
  /** Packets accepted per connection per minute; beyond that packets are dropped, and at twice that the connection closes. */
  packetsPerMinute: number;
  /** Bytes outside any frame a connection may send since its last accepted packet. */
  maxGarbageBytes: number;
  /** Rejected frames a connection may send since its last accepted packet. */
  maxRejectedFrames: number;
  lockout: LockoutPolicy;
  /** Lockouts remembered from before (persisted by `onLockout`). */
  lockouts?: readonly Lockout[];
  /** How a connection's rejections are gathered before they are handed on; default 100 items or 1 s. */
  rejectionBatch?: { maxItems: number; maxDelayMs: number };
  /** The clock of lockouts; default the system clock. */
  now?: () => Date;
  /** Counts connections and frames (`Metrics.hj212(sourceId)`); default none. */
  metrics?: Hj212ListenerMetrics;
}

export interface ListenerHandlers {
  /** A checked upload; its promise settles once the readings are handed on (queued). */
  onRecord(record: SourceRecord, packet: Hj212Packet): Promise<void>;
  /** Input rejected before it became readings (malformed, bad CRC, unknown station, wrong password…), as one batch. */
  onRejected(records: SourceRecord[]): Promise<void>;
  /** An address was locked out of a station (to be persisted and shown). */
  onLockout(lockout: Lockout): Promise<void>;
}

export interface Hj212Listener {
  address(): AddressInfo;
  /** Stops accepting, closes every connection and waits until what they received is handed on. */
  close(): Promise<void>;
}

interface Station extends ListenerStation {
  allowed: BlockList | null;
}

/** What every connection shares. */
interface Shared {
  options: ListenerOptions;
  stations: Map<string, Station>;
  lockouts: PasswordLockouts;
  handlers: ListenerHandlers;
  log: Logger;
  now: () => Date;
  metrics: Hj212ListenerMetrics;
  /** Work still being handed on, awaited by close(). */
  track(work: Promise<void>): void;
}

export async function startHj212Listener(options: ListenerOptions, handlers: ListenerHandlers, log: Logger): Promise<Hj212Listener> {
  const stations = new Map(options.stations.map((s): [string, Station] => [s.mn, { ...s, allowed: blockList(s.allowedAddresses) }]));
  const sockets = new Set<Socket>();
  const inFlight = new Set<Promise<void>>();
  const perAddress = new Map<string, number>();
  const overLimitLogged = new Set<string>();
  const shared: Shared = {
    options,
    stations,
    lockouts: new PasswordLockouts(options.lockout, options.lockouts ?? []),
    handlers,
    log,
    now: options.now ?? (() => new Date()),
    metrics: options.metrics ?? uncounted,
    track: (work) => {
      const settled = work.catch((error: unknown) => log.error('HJ 212 input not handed on', { error: error instanceof Error ? error.message : String(error) }));
      inFlight.add(settled);
      void settled.finally(() => inFlight.delete(settled));
    },
  };

  const server: Server = createServer((socket) => {
    const address = clientAddress(socket);
    const open = perAddress.get(address) ?? 0;
    if (open >= options.maxConnectionsPerAddress) {
      // Logged once while the address stays at its limit, not once per refused connection.
      if (!overLimitLogged.has(address)) log.warn('HJ 212 connections refused: address at its connection limit', { address, limit: options.maxConnectionsPerAddress });
      overLimitLogged.add(address);
      shared.metrics.connectionRefused('address_limit');
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    perAddress.set(address, open + 1);
    sockets.add(socket);
    shared.metrics.connectionOpened();
    socket.once('close', () => {
      shared.metrics.connectionClosed();
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      if (left < options.maxConnectionsPerAddress) overLimitLogged.delete(address);
    });
    serve(socket, address, shared);
  });
  server.maxConnections = options.maxConnections;
  // Past maxConnections Node drops the connection itself, before the connection handler runs.
  server.on('drop', () => shared.metrics.connectionRefused('listener_full'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  log.info('HJ 212 listener started', { host: options.host, port: (server.address() as AddressInfo).port, stations: stations.size });
  return {
    address: () => server.address() as AddressInfo,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await Promise.all([...inFlight]);
    },
  };
}

function serve(socket: Socket, address: string, shared: Shared): void {
  const { options, stations, lockouts, handlers, log } = shared;
  const batch = options.rejectionBatch ?? { maxItems: 100, maxDelayMs: 1000 };
  const splitter = new FrameSplitter(options.maxDataLength);
  const assembler = new SplitAssembler();
  const peer = `${address}:${socket.remotePort ?? '?'}`;
  let garbage = 0;
  let rejected = 0;
  let closed = false;
  let frameStarted: number | null = null;
  let windowStart = Date.now();
  let packetsInWindow = 0;
  // Handing on runs one step after another, so acknowledgements follow the order of the packets.
  let chain: Promise<void> = Promise.resolve();
  const then = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((error: unknown) => {
      log.error('HJ 212 packet not handed on', { peer, error: error instanceof Error ? error.message : String(error) });
    });
  };
  let pending: SourceRecord[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (pending.length === 0) return;
    const records = pending;
    pending = [];
    then(() => handlers.onRejected(records));
  };
  const close = (reason: string, counted: Hj212CloseReason, details: Record<string, unknown> = {}) => {
    if (closed) return;
    closed = true;
    shared.metrics.closedByListener(counted);
    log.warn('HJ 212 connection closed', { peer, reason, ...details });
    socket.destroy();
  };
  /** Counts a rejected frame against the connection's budget; false once the connection is closed. */
  const reject = (record: SourceRecord): boolean => {
    shared.metrics.frame('rejected');
    rejected++;
    if (rejected > options.maxRejectedFrames) {
      close('too many rejected frames', 'rejected_frames', { limit: options.maxRejectedFrames });
      return false;
    }
    pending.push(record);
    if (pending.length >= batch.maxItems) flush();
    else flushTimer ??= setTimeout(flush, batch.maxDelayMs);
    return true;
  };
  const spendGarbage = (bytes: number): boolean => {
    garbage += bytes;
    if (garbage <= options.maxGarbageBytes) return true;
    close('too much data that is not HJ 212', 'garbage', { limit: options.maxGarbageBytes });
    return false;
  };

  socket.setTimeout(options.idleTimeoutMs, () => close('idle', 'idle'));
  const deadline = setInterval(() => {
    if (frameStarted !== null && Date.now() - frameStarted > options.frameTimeoutMs) close('frame not completed in time', 'frame_timeout');
  }, Math.min(1000, options.frameTimeoutMs));
  socket.once('close', () => {
    closed = true;
    clearInterval(deadline);
    flush();
    shared.track(chain);
  });
  socket.on('error', () => undefined);

  /** One complete frame; false once the connection is closed. */
  const onFrame = (text: string): boolean => {
    const parsed = parseFrame(text);
    if (!parsed.ok) return reject({ raw: maskPassword(text), readings: [], problem: parsed.reason, problemCode: parsed.code });
    const packet = parsed.packet;
    const station = stations.get(packet.mn);
    if (!station) return reject({ raw: maskPassword(packet.dataSegment), readings: [], problem: `unknown station MN ${packet.mn}`, problemCode: 'unknown_site' });
    if (station.allowed && !allowedFrom(station.allowed, address)) {
      return reject({ raw: maskPassword(packet.dataSegment), readings: [], problem: `address ${address} is not allowed for station MN ${packet.mn}`, problemCode: 'unauthorized' });
    }
    const now = shared.now();
    const lockedUntil = lockouts.lockedUntil(packet.mn, address, now);
    if (lockedUntil) {
      // Refused unread: during a lockout even the right password proves nothing.
      shared.metrics.frame('locked_out');
      close('station locked out for this address', 'locked_out', { mn: packet.mn, until: lockedUntil.toISOString() });
      return false;
    }
    if (!samePassword(station.password, packet.pw)) {
      const kept = reject({ raw: maskPassword(packet.dataSegment), readings: [], problem: `wrong password for station MN ${packet.mn}`, problemCode: 'unauthorized' });
      const lockout = lockouts.failure(packet.mn, address, now);
      if (!lockout) return kept;
      log.warn('HJ 212 address locked out of a station after wrong passwords', { mn: lockout.mn, address, level: lockout.level, failures: lockout.failures, until: lockout.lockedUntil.toISOString() });
      shared.track(handlers.onLockout(lockout));
      close('station locked out for this address', 'locked_out', { mn: packet.mn, until: lockout.lockedUntil.toISOString() });
      return false;
    }
    lockouts.success(packet.mn, address);
    shared.metrics.frame('accepted');
    garbage = 0;
    rejected = 0;
    // Parts of a split upload are put together only once each has proved its station.
    const whole = assembler.add(packet, Date.now());
    const record = whole && isDataUpload(whole) ? packetRecord(whole, station, canonicalUnitOf) : null;
    // Acknowledged only once handed on, in one step: an upload that could not be queued is not acknowledged, so the
    // station sends it again.
    then(async () => {
      if (record && whole) await handlers.onRecord(record, whole);
      if (needsReply(packet) && !socket.destroyed) socket.write(acknowledgement(packet));
    });
    return true;
  };

  socket.on('data', (chunk: Buffer) => {
    const events = splitter.push(chunk);
    // The deadline is per frame: whatever ended here (a frame, a malformed one, garbage skipped) restarts the clock
    // for the bytes still pending, so a station whose writes always end inside its next frame is never cut off.
    if (events.length > 0) frameStarted = null;
    for (const event of events) {
      if (closed) return;
      if (event.kind === 'garbage') {
        if (!spendGarbage(event.bytes)) return;
        continue;
      }
      if (event.kind === 'malformed') {
        // The splitter skips the malformed frame's "##" and scans on; the rest is counted as garbage as it comes.
        if (!spendGarbage(2) || !reject({ raw: maskPassword(event.text), readings: [], problem: event.reason })) return;
        continue;
      }
      const now = Date.now();
      if (now - windowStart >= 60_000) {
        windowStart = now;
        packetsInWindow = 0;
      }
      packetsInWindow++;
      if (packetsInWindow > 2 * options.packetsPerMinute) {
        shared.metrics.frame('dropped');
        return close('packet rate limit exceeded', 'rate_limit');
      }
      if (packetsInWindow > options.packetsPerMinute) {
        shared.metrics.frame('dropped');
        continue;
      }
      if (!onFrame(event.text)) return;
    }
    frameStarted = splitter.pending > 0 ? (frameStarted ?? Date.now()) : null;
  });
}

/** What a listener started without metrics reports to: nothing. */
const uncounted: Hj212ListenerMetrics = { connectionOpened: () => undefined, connectionClosed: () => undefined, connectionRefused: () => undefined, closedByListener: () => undefined, frame: () => undefined };

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client's address; an IPv4 client of a dual-stack socket (::ffff:10.1.2.3) as plain IPv4. */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? '?';
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function allowedFrom(list: BlockList, address: string): boolean {
  try {
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  } catch {
    // Not an address at all (the socket closed before its peer was known).
    return false;
  }
}

function blockList(entries: readonly string[] | undefined): BlockList | null {
  if (!entries) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}
