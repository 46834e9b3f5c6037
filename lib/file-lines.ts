/**
 * Streams a text file line by line (LF, CR LF or a lone CR end a line, as in `readline`) without losing a byte:
 * each line is decoded with `decodeRaw`, so NUL and bytes that are not UTF-8 reach the quarantine as they were.
 * Memory is bounded by the longest line.
 */
import { createReadStream } from 'node:fs';
import { decodeRaw } from './raw-text.ts';

const LF = 0x0a;
const CR = 0x0d;

export async function* readFileLines(file: string, signal?: AbortSignal): AsyncIterable<string> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, signal ? { signal } : {})) {
    const buffer = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf(LF, start);
      // A CR as the last byte may be the first half of a CR LF split across chunks: wait for the next chunk.
      const end = lf < 0 ? buffer.length - 1 : lf;
      const cr = buffer.indexOf(CR, start);
      if (cr >= 0 && cr < end) {
        yield decodeRaw(buffer.subarray(start, cr));
        start = cr + 1 + (buffer[cr + 1] === LF ? 1 : 0);
        continue;
      }
      if (lf < 0) break;
      yield decodeRaw(buffer.subarray(start, lf));
      start = lf + 1;
    }
    carry = Buffer.from(buffer.subarray(start));
  }
  if (carry.length > 0) {
    const text = decodeRaw(carry.at(-1) === CR ? carry.subarray(0, -1) : carry);
    yield text;
  }
}
