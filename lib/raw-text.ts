/**
 * Raw input as text, without losing a byte. Input from a station or a file is decoded as UTF-8, but a byte that is
 * not part of a valid UTF-8 sequence becomes the lone surrogate U+DC00 + byte (the "surrogateescape" convention),
 * so `encodeRaw(decodeRaw(bytes))` gives the bytes back exactly. Such text cannot be stored in a PostgreSQL text
 * or jsonb column (nor can U+0000), and control characters would garble a terminal: `legibleText` renders them as
 * `\xNN` for display and storage, while the exact bytes are kept apart (`quarantine.raw_bytes`).
 */

const REPLACEMENT = '\uFFFD';

/** UTF-8 bytes → text; invalid bytes become U+DC80…U+DCFF so that `encodeRaw` restores them. */
export function decodeRaw(bytes: Buffer): string {
  const fast = bytes.toString('utf8');
  // Valid UTF-8 (the common case) decodes without replacement characters, unless the input holds U+FFFD itself.
  if (!fast.includes(REPLACEMENT)) return fast;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      out += bytes.toString('utf8', i, i + length);
      i += length;
    } else {
      out += String.fromCharCode(0xdc00 + (bytes[i] ?? 0));
      i += 1;
    }
  }
  return out;
}

/** Text → the bytes it was decoded from: U+DC80…U+DCFF back to single bytes, everything else as UTF-8. */
export function encodeRaw(text: string): Buffer {
  if (!/[\uDC80-\uDCFF]/.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate preceded by a high one is half of a real character, not an escaped byte.
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from([c - 0xdc00]));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

// C0 controls other than tab, line feed and carriage return; DEL; any unpaired surrogate.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether the text can be stored and shown as it is. */
export function isCleanText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !UNSAFE.test(text);
}

/** The text with NUL, other control characters and undecodable bytes shown as `\xNN` (`\uXXXX` beyond a byte). */
export function legibleText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const c = ch.charCodeAt(0);
    const byte = c >= 0xdc80 && c <= 0xdcff ? c - 0xdc00 : c;
    return byte <= 0xff ? `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${byte.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** What a text column can hold, and the exact bytes when that differs from the input. */
export function storableText(text: string): { text: string; bytes: Buffer | null } {
  return isCleanText(text) ? { text, bytes: null } : { text: legibleText(text), bytes: encodeRaw(text) };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Length of the valid UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or 0. */
function sequenceLength(b: Buffer, i: number): number {
  const b0 = b[i] ?? 0;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
