/**
 * Streams a text file line by line (LF, CR LF or a lone CR end a line, as in `readline`) without losing a byte:
 * each line is decoded with `decodeRaw`, so NUL and bytes that are not UTF-8 reach the quarantine as they were.
 * Memory is bounded: a line longer than `maxLineBytes` keeps its first `maxLineBytes` and ends with a mark saying
 * how much was dropped (`cutLineProblem` reads it: a record that long is malformed in every format envmon reads, and
 * its reader quarantines it; reading goes on at the next line). Every byte is looked at a bounded number of times,
 * however the file is cut into lines.
 */
import { createReadStream } from 'node:fs';
import { decodeRaw } from './raw-text.ts';

const LF = 0x0a;
const CR = 0x0d;

/** The longest line kept whole: far beyond any CSV row or HJ 212 frame (at most 9,999 + 12 characters). */
export const MAX_LINE_BYTES = 2 ** 20;

export async function* readFileLines(file: string, signal?: AbortSignal, maxLineBytes = MAX_LINE_BYTES): AsyncIterable<string> {
  const line = new LineBuffer(maxLineBytes);
  // A CR that ended the previous read's last line: an LF opening the next read belongs to it.
  let afterCr = false;
  for await (const read of createReadStream(file, signal ? { signal } : {})) {
    const chunk = read as Buffer;
    let start = afterCr && chunk[0] === LF ? 1 : 0;
    afterCr = false;
    let lf = chunk.indexOf(LF, start);
    let cr = chunk.indexOf(CR, start);
    while (lf >= 0 || cr >= 0) {
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      // A whole line inside this read (the usual case) is decoded where it lies; one begun in an earlier read, or too
      // long, goes through the buffer.
      if (line.empty && end - start <= maxLineBytes) yield decodeRaw(chunk.subarray(start, end));
      else {
        line.append(chunk.subarray(start, end));
        yield line.take();
      }
      start = end + 1;
      if (end === cr) {
        if (start === chunk.length) afterCr = true;
        else if (chunk[start] === LF) start++;
      }
      if (lf >= 0 && lf < start) lf = chunk.indexOf(LF, start);
      if (cr >= 0 && cr < start) cr = chunk.indexOf(CR, start);
    }
    line.append(chunk.subarray(start));
  }
  if (!line.empty) yield line.take();
}

/** The bytes of the line being read, at most `max` of them kept. */
class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly max: number) {}

  get empty(): boolean {
    return this.size === 0 && this.dropped === 0;
  }

  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.max - this.size;
    const kept = Math.min(room, bytes.length);
    // Copied, so that a long line does not hold on to every read it spans.
    if (kept > 0) this.parts.push(Buffer.from(bytes.subarray(0, kept)));
    this.size += kept;
    this.dropped += bytes.length - kept;
  }

  take(): string {
    const text = decodeRaw(this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts));
    const cut = this.dropped > 0 ? ` …[line cut at ${this.max} bytes: ${this.dropped} more dropped]` : '';
    this.parts = [];
    this.size = 0;
    this.dropped = 0;
    return text + cut;
  }
}

const CUT_MARK = / …\[line cut at (\d+) bytes: (\d+) more dropped\]$/;

/** Why a line from `readFileLines` cannot be read as a record (it was cut), or null for a whole line. */
export function cutLineProblem(line: string): string | null {
  const m = CUT_MARK.exec(line);
  return m ? `line longer than ${m[1] ?? ''} bytes (${m[2] ?? ''} more dropped)` : null;
}
