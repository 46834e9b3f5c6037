/**
 * Charts drawn by ECharts (SVG) and rendered to PNG by resvg: the PNG decodes to the requested size, the SVG carries
 * the Chinese title, the axis name with its unit and the value labels, a slot without a figure is labelled (无效 /
 * 无数据) rather than left empty, the daily summary chart keeps its size, and without a CJK font the PNG is still made and a warning is logged.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { barChartSvg, svgToPng, type BarChart } from '../../reports/charts.ts';
import { dailyReportChart } from '../../reports/daily-report-render.ts';
import type { DailyReport } from '../../reports/daily-report.ts';

/** IHDR size and colour type, and the inflated IDAT length: one filter byte plus width × channels per row. */
function decode(png: Buffer): { width: number; height: number; channels: number; rawLength: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      expect(data.readUInt8(8)).toBe(8);
      // Colour types: 2 RGB, 6 RGBA, 0 grey, 4 grey + alpha.
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data.readUInt8(9)] ?? 0;
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  return { width, height, channels, rawLength: inflateSync(Buffer.concat(idat)).length };
}

const spec: BarChart = {
  title: '2026年11月各站点 PM2.5 浓度',
  categories: ['交城县站', '文水县站'],
  series: [{ name: '2026年11月', values: ['35.0', null] }],
  valueAxisName: 'PM2.5（μg/m³）',
  width: 500,
  height: 300,
};

describe('report charts', () => {
  it('draws an SVG with the Chinese title, the axis unit, value labels and 无效 for a missing figure', () => {
    const svg = barChartSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['2026年11月各站点 PM2.5 浓度', 'PM2.5（μg/m³）', '交城县站', '文水县站', '>35.0<', '>无效<']) expect(svg).toContain(text);
  });

  it('keeps the reference line on the chart and stands a missing label upright in a narrow slot', () => {
    const days = Array.from({ length: 30 }, (_, i) => `11-${String(i + 2).padStart(2, '0')}`);
    const svg = barChartSvg({ title: '近30天', categories: days, series: [{ name: 'PM2.5', values: days.map((_, i) => (i === 29 ? '16' : null)) }], valueAxisName: 'PM2.5', line: { value: 60, label: '60' }, missingLabel: '无数据', valueLabels: false, width: 640, height: 260 });
    // The line at 60 over bars of at most 16: the axis reaches 60 × 1.1 = 66, rounded up to 80.
    expect(svg).toMatch(/>80<\/text>/);
    // 560 px of plot for 30 slots is 18.7 px a slot, narrower than three characters: each 无数据 is turned upright.
    const missing = svg.match(/<text[^>]*>无数据<\/text>/g) ?? [];
    expect(missing).toHaveLength(29);
    expect(missing.every((label) => label.includes('transform="matrix(0,-1,1,0,'))).toBe(true);
  });

  it('renders a PNG of the requested size that decodes', () => {
    const warnings: string[] = [];
    const image = decode(svgToPng(barChartSvg(spec), { log: { warn: (m) => warnings.push(m) } }));
    expect([image.width, image.height]).toEqual([500, 300]);
    expect(image.rawLength).toBe(300 * (500 * image.channels + 1));
    expect(warnings).toEqual([]);
  });

  it('still renders without a CJK font, and says so', () => {
    const warnings: { message: string; fields: unknown }[] = [];
    const png = svgToPng(barChartSvg(spec), { fontFiles: ['/nonexistent/NotoSansCJK-Regular.ttc'], log: { warn: (message, fields) => warnings.push({ message, fields }) } });
    expect(decode(png).width).toBe(500);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('no CJK font found');
    expect(JSON.stringify(warnings[0]?.fields)).toContain('/nonexistent/NotoSansCJK-Regular.ttc');
  });

  it('draws the daily summary chart at 640 × 260, a day without data included', () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, value: i === 0 ? null : '40' }));
    const report = { chart: { site: 'S', name: '交城县站', origin: null, originLabel: null, parameter: 'pm2_5', unit: 'μg/m³', target: 35, targetLabel: 'x', daysWithData: 29, days } } as unknown as DailyReport;
    const png = dailyReportChart(report);
    expect(png).not.toBeNull();
    const image = decode(png as Buffer);
    expect([image.width, image.height]).toEqual([640, 260]);
  });
});
