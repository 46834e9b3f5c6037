/**
 * The summary's PNG chart marks the days without data (a grey mark at the foot of the day's slot), so a month with
 * one bar does not read as 29 clean days. Decoded here from the PNG bytes: the encoder writes filter-0 scanlines.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { barChartPng } from '../../reports/chart-png.ts';

function decode(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => [number, number, number] } {
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3 + 1;
  return { width, height, pixel: (x, y) => [raw[y * stride + 1 + x * 3] ?? 0, raw[y * stride + 2 + x * 3] ?? 0, raw[y * stride + 3 + x * 3] ?? 0] };
}

/** Grey (not the dark axis, not white): r = g = b between 100 and 200. */
const isGrey = ([r, g, b]: [number, number, number]) => r === g && g === b && r >= 100 && r <= 200;

describe('bar chart PNG', () => {
  it('marks a day without data in grey at the foot of its slot, and a day with data not', () => {
    // 640 × 260, plot from x 48 to 628: two days, 290 px each — day 1 (no data) x 48–337, day 2 (10) x 338–627.
    const image = decode(barChartPng([{ label: '11-29', value: null }, { label: '11-30', value: 10 }], 60));
    expect([image.width, image.height]).toEqual([640, 260]);
    const greyIn = (x0: number, x1: number) => {
      let n = 0;
      for (let x = x0; x < x1; x++) for (let y = 150; y < 230; y++) if (isGrey(image.pixel(x, y))) n++;
      return n;
    };
    expect(greyIn(48, 338)).toBeGreaterThan(0);
    expect(greyIn(338, 628)).toBe(0);
  });
});
