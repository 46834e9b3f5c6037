/**
 * HJ 212 packets: framing (`##` + 4-digit length + data segment + 4-hex CRC + CRLF), the data segment's fields
 * (QN, ST, CN, PW, MN, Flag, PNUM, PNO, CP) and the CP data area. Follows HJ 212-2017 §6; lenient where real
 * devices differ (lower-case CRC, missing QN/Flag as in HJ/T 212-2005, unknown Flag version bits).
 */
import { encodeRaw } from '../../lib/raw-text.ts';
import { hj212CrcHex } from './crc16.ts';

export interface Hj212Packet {
  /** Request code YYYYMMDDhhmmsszzz; replies echo it. Absent in HJ/T 212-2005 uploads. */
  qn?: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  /** The Flag field: bit 0 A (reply required), bit 1 D (split packet), bits 2–7 the protocol version. */
  flag: number;
  pnum?: number;
  pno?: number;
  /** CP groups in order: each group's `name=value` items. */
  cp: Record<string, string>[];
  /** The data segment exactly as received. */
  dataSegment: string;
}

export type FrameResult = { ok: true; packet: Hj212Packet } | { ok: false; code: 'malformed' | 'checksum'; reason: string };

/** Flag bit A: the sender wants a reply. */
export const needsReply = (p: Pick<Hj212Packet, 'flag'>): boolean => (p.flag & 1) === 1;
/** Flag bit D: the packet is one part of a split upload (PNUM/PNO present). */
export const isSplit = (p: Pick<Hj212Packet, 'flag'>): boolean => (p.flag & 2) === 2;
/** Flag bits 2–7: 0 = HJ/T 212-2005, 1 = HJ 212-2017; later editions use further values. */
export const protocolVersion = (p: Pick<Hj212Packet, 'flag'>): number => p.flag >> 2;

/** Parses one complete frame (with or without the trailing CRLF). */
export function parseFrame(frame: string): FrameResult {
  const text = frame.endsWith('\r\n') ? frame.slice(0, -2) : frame.replace(/\r?\n$/, '');
  if (!text.startsWith('##')) return { ok: false, code: 'malformed', reason: 'frame does not start with ##' };
  const lengthText = text.slice(2, 6);
  if (!/^\d{4}$/.test(lengthText)) return { ok: false, code: 'malformed', reason: `invalid length field "${lengthText}"` };
  const length = Number(lengthText);
  // The length counts the data segment's bytes (ASCII in practice; CP may carry text in UTF-8 or GBK), though some
  // devices count characters. Bytes that are not UTF-8 arrive escaped (lib/raw-text.ts) and count as the bytes they were.
  const body = text.slice(6);
  const dataSegment = body.slice(0, -4);
  const crc = body.slice(-4);
  const bytes = encodeRaw(dataSegment);
  if (dataSegment.length !== length && bytes.length !== length) {
    return { ok: false, code: 'malformed', reason: `length field says ${length}, data segment has ${bytes.length} bytes` };
  }
  if (!/^[0-9A-Fa-f]{4}$/.test(crc)) return { ok: false, code: 'malformed', reason: `invalid CRC field "${crc}"` };
  const expected = hj212CrcHex(bytes);
  if (crc.toUpperCase() !== expected) return { ok: false, code: 'checksum', reason: `CRC ${crc.toUpperCase()} does not match the data (expected ${expected})` };
  return parseDataSegment(dataSegment);
}

export function parseDataSegment(dataSegment: string): FrameResult {
  const cpStart = dataSegment.indexOf('CP=&&');
  if (cpStart < 0 || !dataSegment.endsWith('&&') || dataSegment.length < cpStart + 7) {
    return { ok: false, code: 'malformed', reason: 'no CP=&&…&& data area' };
  }
  const fields = new Map<string, string>();
  for (const part of dataSegment.slice(0, cpStart).split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, code: 'malformed', reason: `field without "=": "${part.slice(0, 40)}"` };
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const st = fields.get('ST');
  const cn = fields.get('CN');
  const mn = fields.get('MN');
  if (!st || !cn || !mn) return { ok: false, code: 'malformed', reason: 'ST, CN and MN are required' };
  const flagText = fields.get('Flag') ?? '0';
  if (!/^\d{1,3}$/.test(flagText)) return { ok: false, code: 'malformed', reason: `invalid Flag "${flagText}"` };
  const packet: Hj212Packet = {
    st,
    cn,
    mn,
    pw: fields.get('PW') ?? '',
    flag: Number(flagText),
    cp: parseCp(dataSegment.slice(cpStart + 5, -2)),
    dataSegment,
  };
  const qn = fields.get('QN');
  if (qn !== undefined) packet.qn = qn;
  if (isSplit(packet)) {
    const pnum = Number(fields.get('PNUM'));
    const pno = Number(fields.get('PNO'));
    if (!Number.isInteger(pnum) || !Number.isInteger(pno) || pnum < 1 || pno < 1 || pno > pnum) {
      return { ok: false, code: 'malformed', reason: 'split packet without valid PNUM/PNO' };
    }
    packet.pnum = pnum;
    packet.pno = pno;
  }
  return { ok: true, packet };
}

/** `DataTime=…;a34004-Rtd=35,a34004-Flag=N;…` → one record of items per `;`-group. */
export function parseCp(cp: string): Record<string, string>[] {
  if (cp === '') return [];
  return cp.split(';').map((group) => {
    const items: Record<string, string> = {};
    for (const item of group.split(',')) {
      const eq = item.indexOf('=');
      if (eq > 0) items[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return items;
  });
}

/** Builds a frame around a data segment. */
export function frame(dataSegment: string): string {
  return `##${String(dataSegment.length).padStart(4, '0')}${dataSegment}${hj212CrcHex(dataSegment)}\r\n`;
}

/**
 * The host's reply to an upload that asked for one (Flag bit A): CN 9014 data acknowledgement for data uploads,
 * CN 9013 notification acknowledgement otherwise; ST 91 (system interaction), same QN, PW and MN, empty CP.
 */
export function acknowledgement(p: Hj212Packet): string {
  const cn = /^20\d\d$/.test(p.cn) ? '9014' : '9013';
  const qn = p.qn ? `QN=${p.qn};` : '';
  return frame(`${qn}ST=91;CN=${cn};PW=${p.pw};MN=${p.mn};Flag=4;CP=&&&&`);
}
