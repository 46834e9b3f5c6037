/**
 * Bearer tokens of the HTTP API. A token is 32 random bytes (256 bits) behind the prefix `envmon_`, so that secret
 * scanners and people recognise it. Only its SHA-256 is stored: a token that random cannot be guessed from its hash,
 * so a slow password hash would add nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_TOKEN_PREFIX = 'envmon_';

export function generateApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The longest credential read from a header; ours are 50 characters. */
const MAX_TOKEN_LENGTH = 200;
// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 7235 §2.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an `Authorization: Bearer …` header, or null when there is none or it is malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = BEARER.exec(header);
  const token = match?.[1];
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
}
