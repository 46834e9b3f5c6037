/** API tokens: their form, their hash, and reading one from an Authorization header. */
import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiToken, hashApiToken } from '../../lib/api-token.ts';

describe('API tokens', () => {
  it('are 32 random bytes in base64url behind a recognisable prefix, different every time', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    // 32 bytes are 43 base64url characters without padding.
    expect(a).toMatch(/^envmon_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice('envmon_'.length), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('are kept as their SHA-256 (FIPS 180-2 example: "abc")', () => {
    expect(hashApiToken('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('are read from "Authorization: Bearer …" (scheme in any case) and nothing else', () => {
    expect(bearerToken('Bearer envmon_abc-_DEF')).toBe('envmon_abc-_DEF');
    expect(bearerToken('bearer envmon_abc')).toBe('envmon_abc');
    expect(bearerToken('Bearer  envmon_abc ')).toBe('envmon_abc');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerToken(`Bearer ${'x'.repeat(300)}`)).toBeNull();
  });
});
