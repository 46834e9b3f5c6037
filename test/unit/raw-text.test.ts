import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../ingest/normalize.ts';
import { readFileLines } from '../../lib/file-lines.ts';
import { decodeRaw, encodeRaw, isCleanText, legibleText, storableText } from '../../lib/raw-text.ts';
import type { RawReading } from '../../sources/source-adapter.ts';

describe('raw input as text', () => {
  it('keeps bytes that are not UTF-8 as escapes that give the bytes back', () => {
    // "A", 中 in GBK (D6 D0), NUL, 磁 in UTF-8 (E7 A3 81), an overlong "/" (C0 AF), a UTF-8-encoded surrogate (ED A0 80).
    const bytes = Buffer.from([0x41, 0xd6, 0xd0, 0x00, 0xe7, 0xa3, 0x81, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
    const text = decodeRaw(bytes);
    expect(text).toBe('A\uDCD6\uDCD0\u0000磁\uDCC0\uDCAF\uDCED\uDCA0\uDC80');
    expect(encodeRaw(text)).toEqual(bytes);
    expect(legibleText(text)).toBe('A\\xD6\\xD0\\x00磁\\xC0\\xAF\\xED\\xA0\\x80');
    expect(storableText(text)).toEqual({ text: 'A\\xD6\\xD0\\x00磁\\xC0\\xAF\\xED\\xA0\\x80', bytes });
  });

  it('leaves valid text alone, a replacement character and a four-byte character included', () => {
    const bytes = Buffer.from('PW=***;\uFFFD;𝄞;\t\r\n', 'utf8');
    const text = decodeRaw(bytes);
    expect(text).toBe('PW=***;\uFFFD;𝄞;\t\r\n');
    expect(encodeRaw(text)).toEqual(bytes);
    expect(isCleanText(text)).toBe(true);
    expect(storableText(text)).toEqual({ text, bytes: null });
  });

  it('shows control characters that would garble a terminal escaped', () => {
    expect(legibleText('a\u001b[31mb\u007f')).toBe('a\\x1B[31mb\\x7F');
    expect(isCleanText('a\u001bb')).toBe(false);
  });

  it('reads the lines of a file with every byte, whatever ends them', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-lines-')), 'lines.csv');
    writeFileSync(file, Buffer.concat([Buffer.from('h1,h2\r\na,\u0000\n'), Buffer.from([0x62, 0xd6, 0xd0]), Buffer.from('\rc\r\n\nd')]));
    const lines: string[] = [];
    for await (const line of readFileLines(file)) lines.push(line);
    expect(lines).toEqual(['h1,h2', 'a,\u0000', 'b\uDCD6\uDCD0', 'c', '', 'd']);
  });

  it('keeps at most maxLineBytes of a line, saying how much it dropped, and reads on at the next line', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'envmon-lines-')), 'long.csv');
    // 3 MiB without a line break, then two ordinary lines; a CR LF split across the 64 KiB reads comes first.
    const long = Buffer.alloc(3 * 2 ** 20, 0x61);
    writeFileSync(file, Buffer.concat([Buffer.alloc(65_535, 0x62), Buffer.from('\r\n'), long, Buffer.from('\nnext\r\nlast')]));
    const lines: string[] = [];
    for await (const line of readFileLines(file, undefined, 2 ** 20)) lines.push(line);
    expect(lines.map((l) => l.length)).toEqual([65_535, 2 ** 20 + ' …[line cut at 1048576 bytes: 2097152 more dropped]'.length, 4, 4]);
    expect(lines[1]?.endsWith('a …[line cut at 1048576 bytes: 2097152 more dropped]')).toBe(true);
    expect(lines.slice(2)).toEqual(['next', 'last']);
  });
});

describe('normalizing text a database cannot hold', () => {
  const at = new Date('2026-11-22T11:00:00Z');
  const reading = (over: Partial<RawReading>): RawReading => ({ site: 'Dongsi', parameter: 'pm2_5', period: 'hour', observedAt: at, value: '35', unit: 'μg/m³', ...over });
  const normalize = (raw: string, ...readings: RawReading[]) => normalizeRecord({ raw, readings }, { now: new Date('2026-11-22T12:00:00Z') });

  it('rejects site codes and flags that are not plain text, keeping the raw input escaped with its exact bytes', () => {
    const raw = 'Dongsi\u0000,35,N\uDCD6';
    const { readings, rejections } = normalize(raw, reading({ site: 'Dong\u0000si' }), reading({ flag: 'N\u0000' }), reading({ flag: 'valid' }), reading({ parameter: 'no2' }));
    expect(readings.map((r) => r.parameter)).toEqual(['no2']);
    expect(rejections.map((r) => [r.code, r.reason])).toEqual([
      ['unknown_site', 'site code "Dong\\x00si" is not valid text'],
      ['malformed', 'pm2_5: data flag "N\\x00" is not one or two letters'],
      ['malformed', 'pm2_5: data flag "valid" is not one or two letters'],
    ]);
    expect(rejections.map((r) => [r.raw, r.rawBytes])).toEqual(Array(3).fill(['Dongsi\\x00,35,N\\xD6', Buffer.from([...Buffer.from('Dongsi\u0000,35,N'), 0xd6]).toString('base64')]));
    expect(rejections[0]?.detail?.site).toBe('Dong\\x00si');
  });
});
