/** From frames to source records: checksum, split reassembly, station lookup, readings. */
import { findParameter } from '../../standards/parameters.ts';
import type { SourceRecord } from '../source-adapter.ts';
import { parseFrame, type Hj212Packet } from './packet.ts';
import { isDataUpload, maskPassword, packetRecord, type StationBinding } from './packet-readings.ts';
import type { SplitAssembler } from './split-assembler.ts';

export type StationLookup = (mn: string) => StationBinding | undefined;

export const canonicalUnitOf = (parameter: string): string => findParameter(parameter)?.unit ?? '';

export type FrameOutcome =
  | { kind: 'record'; record: SourceRecord; packet: Hj212Packet }
  | { kind: 'partial'; packet: Hj212Packet }
  | { kind: 'control'; packet: Hj212Packet }
  | { kind: 'rejected'; record: SourceRecord };

/** Interprets one frame; `assembler` holds the parts of split uploads. */
export function interpretFrame(text: string, stations: StationLookup, assembler: SplitAssembler, now: number): FrameOutcome {
  const parsed = parseFrame(text);
  if (!parsed.ok) return { kind: 'rejected', record: { raw: maskPassword(text), readings: [], problem: parsed.reason, problemCode: parsed.code } };
  const whole = assembler.add(parsed.packet, now);
  if (!whole) return { kind: 'partial', packet: parsed.packet };
  // Anything but a data upload (heartbeats, time requests, replies) carries no readings.
  if (!isDataUpload(whole)) return { kind: 'control', packet: whole };
  const binding = stations(whole.mn);
  if (!binding) return { kind: 'rejected', record: { raw: maskPassword(whole.dataSegment), readings: [], problem: `unknown station MN ${whole.mn}`, problemCode: 'unknown_site' } };
  return { kind: 'record', record: packetRecord(whole, binding, canonicalUnitOf), packet: whole };
}
