/**
 * A bar chart of daily values against a target line, drawn into a raster and encoded as PNG here — no browser, no
 * native canvas: mail clients that show no SVG and no external images (Outlook, QQ Mail) still show a PNG attached
 * by Content-ID. Labels use a small built-in digit font, and the unit and the 无数据 legend pre-rendered bitmaps. A day
 * without data gets a grey × at the foot of its slot, so an empty month never reads as clean days.
 */
import { deflateSync } from 'node:zlib';
import { NO_DATA, UNIT_UG_M3 } from './chart-labels.ts';

export interface ChartBar {
  /** Label under the bar, digits and "-" only (e.g. "11-20"); only some are drawn. */
  label: string;
  value: number | null;
}

type Rgb = readonly [number, number, number];

const GLYPHS: Record<string, readonly string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '010', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '-': ['000', '000', '111', '000', '000'],
  '.': ['000', '000', '000', '000', '010'],
  ' ': ['000', '000', '000', '000', '000'],
};

class Raster {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (Math.floor(y) * this.width + Math.floor(x)) * 3;
    this.pixels[i] = c[0];
    this.pixels[i + 1] = c[1];
    this.pixels[i + 2] = c[2];
  }
  rect(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    for (let y = Math.round(y0); y < Math.round(y1); y++) for (let x = Math.round(x0); x < Math.round(x1); x++) this.set(x, y, c);
  }
  text(x: number, y: number, text: string, c: Rgb, scale = 2): void {
    let cx = x;
    for (const ch of text) {
      const glyph = GLYPHS[ch] ?? GLYPHS[' '] ?? [];
      glyph.forEach((row, gy) => [...row].forEach((bit, gx) => bit === '1' && this.rect(cx + gx * scale, y + gy * scale, cx + (gx + 1) * scale, y + (gy + 1) * scale, c)));
      cx += 4 * scale;
    }
  }
  /** A 1-bit bitmap ('1' = ink) at its own pixel size. */
  bitmap(x: number, y: number, rows: readonly string[], c: Rgb): void {
    rows.forEach((row, gy) => [...row].forEach((bit, gx) => bit === '1' && this.set(x + gx, y + gy, c)));
  }
  /** A × of `size` pixels centred on (cx, cy), two pixels thick. */
  cross(cx: number, cy: number, size: number, c: Rgb): void {
    const h = Math.floor(size / 2);
    for (let d = -h; d <= h; d++) {
      for (const t of [0, 1]) {
        this.set(cx + d + t, cy + d, c);
        this.set(cx + d + t, cy - d, c);
      }
    }
  }
}

const AXIS: Rgb = [80, 80, 80];
const BAR: Rgb = [66, 133, 244];
const OVER: Rgb = [219, 68, 55];
const TARGET: Rgb = [244, 160, 0];
const NO_DATA_MARK: Rgb = [150, 150, 150];

export function barChartPng(bars: readonly ChartBar[], target: number | null, size = { width: 640, height: 260 }): Buffer {
  const r = new Raster(size.width, size.height);
  const left = 48;
  const right = size.width - 12;
  const top = 30;
  const bottom = size.height - 30;
  const values = bars.flatMap((b) => (b.value === null ? [] : [b.value]));
  const max = niceMax(Math.max(1, ...values, target ?? 0));
  const y = (v: number) => bottom - (v / max) * (bottom - top);
  r.rect(left, top, left + 1, bottom, AXIS);
  r.rect(left, bottom, right, bottom + 1, AXIS);
  // The unit above the value axis.
  r.bitmap(4, 4, UNIT_UG_M3, AXIS);
  r.text(4, top - 4, String(max), AXIS);
  r.text(4, bottom - 8, '0', AXIS);
  const slot = (right - left) / Math.max(1, bars.length);
  let labelled = -Infinity;
  bars.forEach((b, i) => {
    const x0 = left + i * slot + slot * 0.15;
    if (b.value !== null) r.rect(x0, y(b.value), x0 + slot * 0.7, bottom, target !== null && b.value > target ? OVER : BAR);
    else r.cross(Math.round(left + (i + 0.5) * slot), bottom - 7, Math.max(4, Math.min(8, Math.floor(slot * 0.6))), NO_DATA_MARK);
    // A label every week, never two overlapping.
    if ((i % 7 === 0 || i === bars.length - 1) && x0 - labelled >= 48) {
      r.text(Math.min(x0 - 4, right - 40), bottom + 8, b.label, AXIS);
      labelled = x0;
    }
  });
  if (target !== null) {
    const ty = y(target);
    for (let x = left; x < right; x += 8) r.rect(x, ty - 1, x + 5, ty + 1, TARGET);
    // On white, so bars behind it do not hide it.
    r.rect(right - 42, ty - 18, right - 40 + 8 * String(target).length + 2, ty - 4, [255, 255, 255]);
    r.text(right - 40, ty - 16, String(target), TARGET);
  }
  // Legend of the no-data marks, top right, when there are any.
  if (bars.some((b) => b.value === null)) {
    const width = NO_DATA[0]?.length ?? 0;
    r.cross(right - width - 14, 11, 8, NO_DATA_MARK);
    r.bitmap(right - width, 4, NO_DATA, AXIS);
  }
  return encodePng(r);
}

function niceMax(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil((value * 1.1) / step) * step;
}

function encodePng(r: Raster): Buffer {
  // Each scanline: filter byte 0 (none), then RGB.
  const raw = Buffer.alloc((r.width * 3 + 1) * r.height);
  for (let y = 0; y < r.height; y++) {
    raw[y * (r.width * 3 + 1)] = 0;
    raw.set(r.pixels.subarray(y * r.width * 3, (y + 1) * r.width * 3), y * (r.width * 3 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(r.width, 0);
  header.writeUInt32BE(r.height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: truecolour
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
