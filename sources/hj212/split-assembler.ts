/**
 * Reassembles split uploads (Flag bit D): parts share MN and QN and are numbered PNO 1…PNUM; their CP groups,
 * in PNO order, form the whole upload. Incomplete uploads expire, and only so many are held at once.
 */
import type { Hj212Packet } from './packet.ts';

interface Pending {
  parts: Map<number, Hj212Packet>;
  total: number;
  firstSeen: number;
}

export class SplitAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly maxPending = 64,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** Returns the whole packet once its last part arrived, null while parts are missing. */
  add(part: Hj212Packet, now: number): Hj212Packet | null {
    this.expire(now);
    if (part.pnum === undefined || part.pno === undefined) return part;
    const key = `${part.mn}|${part.qn ?? ''}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      entry = { parts: new Map(), total: part.pnum, firstSeen: now };
      this.pending.set(key, entry);
    }
    entry.parts.set(part.pno, part);
    if (entry.parts.size < entry.total) return null;
    this.pending.delete(key);
    const ordered = [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    const first = ordered[0] ?? part;
    const { pnum: _pnum, pno: _pno, ...rest } = first;
    return { ...rest, flag: first.flag & ~2, cp: ordered.flatMap((p) => p.cp), dataSegment: ordered.map((p) => p.dataSegment).join('\n') };
  }

  private expire(now: number): void {
    for (const [key, entry] of this.pending) if (now - entry.firstSeen > this.ttlMs) this.pending.delete(key);
  }
}
