/**
 * Cuts a byte stream (a TCP connection, a log file) into HJ 212 frames. Bytes before a `##` are skipped as
 * garbage; a frame whose length field is out of bounds or that does not end in CRLF is reported as malformed and
 * scanning resumes after its `##`. Memory is bounded by the largest allowed frame. Frames are decoded without
 * losing a byte (`decodeRaw`): NUL or bytes that are not UTF-8 stay what they were, for the checksum and quarantine.
 */
import { decodeRaw } from '../../lib/raw-text.ts';

export type SplitterEvent = { kind: 'frame'; text: string } | { kind: 'malformed'; text: string; reason: string } | { kind: 'garbage'; bytes: number };

const HASH = 0x23;

export class FrameSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  /** @param maxDataLength largest data segment accepted (HJ 212-2017 allows 1024). */
  constructor(private readonly maxDataLength = 1024) {}

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): SplitterEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: SplitterEvent[] = [];
    for (;;) {
      const start = this.findHeader();
      if (start > 0) {
        events.push({ kind: 'garbage', bytes: start });
        this.buffer = this.buffer.subarray(start);
      }
      if (start < 0) {
        // Keep a trailing '#' that may begin the next header.
        const keep = this.buffer.length > 0 && this.buffer[this.buffer.length - 1] === HASH ? 1 : 0;
        if (this.buffer.length - keep > 0) events.push({ kind: 'garbage', bytes: this.buffer.length - keep });
        this.buffer = this.buffer.subarray(this.buffer.length - keep);
        return events;
      }
      if (this.buffer.length < 6) return events;
      const lengthText = this.buffer.subarray(2, 6).toString('latin1');
      const length = /^\d{4}$/.test(lengthText) ? Number(lengthText) : -1;
      if (length < 0 || length > this.maxDataLength) {
        events.push({ kind: 'malformed', text: decodeRaw(this.buffer.subarray(0, Math.min(this.buffer.length, 64))), reason: length < 0 ? `invalid length field "${decodeRaw(this.buffer.subarray(2, 6))}"` : `data segment of ${length} exceeds the limit of ${this.maxDataLength}` });
        this.buffer = this.buffer.subarray(2);
        continue;
      }
      const total = 6 + length + 4 + 2;
      if (this.buffer.length < total) return events;
      const candidate = this.buffer.subarray(0, total);
      if (candidate[total - 2] !== 0x0d || candidate[total - 1] !== 0x0a) {
        events.push({ kind: 'malformed', text: decodeRaw(candidate), reason: 'frame does not end with CR LF where its length says' });
        this.buffer = this.buffer.subarray(2);
        continue;
      }
      events.push({ kind: 'frame', text: decodeRaw(candidate) });
      this.buffer = this.buffer.subarray(total);
    }
  }

  private findHeader(): number {
    for (let i = 0; i + 1 < this.buffer.length; i++) if (this.buffer[i] === HASH && this.buffer[i + 1] === HASH) return i;
    return -1;
  }
}
