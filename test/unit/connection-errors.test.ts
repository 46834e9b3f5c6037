/** A queue server that goes away is one log line every interval, however many connections and workers see it. */
import { describe, expect, it } from 'vitest';
import { connectionErrorReporter, isConnectionError } from '../../workers/connection-errors.ts';

describe('connection errors', () => {
  it('tell a lost connection from other errors', () => {
    const coded = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']) expect(isConnectionError(coded(code)), code).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 12. moveToFinished'))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('boom'), { code: 'ERR' }))).toBe(false);
  });

  it('are reported once per interval, with how many were held back', () => {
    let clock = 0;
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const report = connectionErrorReporter({ warn: (message, fields) => lines.push({ message, fields: fields ?? {} }) }, 10_000, () => clock);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    // 8 connections and 7 workers, each told of every failed reconnect over 12 s.
    for (; clock < 12_000; clock += 100) for (let i = 0; i < 15; i++) report(refused);
    expect(lines).toEqual([
      { message: 'queue server connection lost; reconnecting', fields: { error: 'connect ECONNREFUSED 127.0.0.1:6379', heldBack: 0 } },
      { message: 'queue server connection lost; reconnecting', fields: { error: 'connect ECONNREFUSED 127.0.0.1:6379', heldBack: 100 * 15 - 1 } },
    ]);
  });
});
