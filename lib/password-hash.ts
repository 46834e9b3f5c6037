/**
 * Passwords of console users: salted scrypt (node:crypto, RFC 7914), kept as `scrypt$N$r$p$salt$hash` with salt and
 * hash in base64, compared in constant time. N = 2^14, r = 8, p = 1 takes 16 MiB and some tens of milliseconds:
 * slow for a guesser holding a stolen table, quick enough for a sign-in.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** The largest cost accepted from a stored hash: a damaged row must not make one sign-in take the machine. */
const MAX_N = 1 << 17;

function derive(password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number }): Promise<Buffer> {
  // scrypt needs 128 × N × r bytes; node's default ceiling (32 MiB) would refuse the larger accepted costs.
  const maxmem = 128 * options.N * options.r * 2;
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` is the one `stored` was made from; false for a malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length === 0 || expected.length !== KEY_LENGTH) return false;
  const key = await derive(password, salt, { N: n, r, p });
  return timingSafeEqual(key, expected);
}

/** A hash no password matches, to spend the same time on an unknown user name as on a known one. */
export const UNMATCHABLE_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(SALT_LENGTH).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

/**
 * A one-time password: 15 random bytes as 20 base32 characters without the look-alikes 0/O and 1/I/L (easy to read
 * out and type), in groups of five.
 */
export function generateOneTimePassword(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  // Rejection sampling keeps every character equally likely (31 letters do not divide 256).
  for (const b of bytes) {
    if (b >= 248) continue;
    out += alphabet[b % 31];
    if (out.length === 20) break;
  }
  if (out.length < 20) return generateOneTimePassword();
  return out.match(/.{5}/g)?.join('-') ?? out;
}

/** What a new password must be, or null when it will do. */
export function passwordProblem(password: string, name: string): string | null {
  if ([...password].length < 10) return 'at least 10 characters';
  if (password.length > 200) return 'at most 200 characters';
  if (password.toLowerCase().includes(name.toLowerCase())) return 'not containing the user name';
  return null;
}
