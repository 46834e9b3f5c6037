/**
 * The monthly report's outputs from a report built by hand (test/support/period-report-fixture.ts): invalid figures
 * written 无效 with their day counts, demonstration data labelled, the charts as SVG with Chinese titles and units,
 * and the Excel workbook read back with exceljs (sheet names, header, a value with its decimals, frozen header).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { renderPeriodReportHtml, renderPeriodReportText } from '../../reports/period-report-render.ts';
import { periodReportTables } from '../../reports/period-report-tables.ts';
import { periodReportXlsx } from '../../reports/period-report-xlsx.ts';
import { monthlyFixture } from '../support/period-report-fixture.ts';

describe('monthly report rendering', () => {
  it('writes an invalid figure as 无效 with its days, never blank', () => {
    const air = periodReportTables(monthlyFixture())[0];
    const ws = air?.rows.find((r) => r[0] === '文水县站');
    // PM2.5 column: after name, type, basis, days, good days, ratio, heavy days, SO2, NO2, PM10 → index 10.
    expect(air?.columns[10]?.header).toBe('PM2.5（μg/m³）');
    expect(ws?.[10]).toBe('无效（有效20天，需27天）');
    expect(ws?.[13]).toBe('无效（有污染物浓度无效）');
    expect(ws?.every((cell) => cell !== '')).toBe(true);
  });

  it('labels demonstration data and references, and ranks an invalid site as not ranked', () => {
    const text = renderPeriodReportText(monthlyFixture());
    expect(text.split('\n')[0]).toBe('2026年11月环境质量月报（模拟数据）');
    expect(text).toContain('交城县站（模拟数据）');
    expect(text).toContain('不参与排名 | 文水县站');
    expect(text).toContain('参考');
    expect(text).toContain('新一期目标待批复，暂作参考');
    expect(text).toContain('水源地 | 2026-11 | 0 | 无效（无样本） | Ⅲ类（参考）');
  });

  it('embeds the charts as SVG with Chinese titles, units and value labels', () => {
    const html = renderPeriodReportHtml(monthlyFixture(), { inline: 'svg' });
    expect(html).toContain('<svg');
    expect(html).toContain('2026年11月各站点 PM2.5 浓度（模拟数据）');
    expect(html).toContain('PM2.5（μg/m³）');
    expect(html).toContain('综合指数（无量纲）');
    expect(html).toContain('>35.0<');
    expect(html).toContain('>无效<');
    expect(renderPeriodReportHtml(monthlyFixture(), { cids: ['a@x', 'b@x'] })).toContain('src="cid:a@x"');
  });

  it('writes one sheet per table with a frozen header and numbers keeping their decimals', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await periodReportXlsx(monthlyFixture())) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['空气质量评价', '排名', '地表水', '饮用水源', '告警', '目标进度']);
    const air = workbook.getWorksheet('空气质量评价');
    expect(air?.getRow(1).getCell(1).value).toBe('名称');
    expect(air?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const pm = air?.getRow(2).getCell(11);
    expect(pm?.value).toBe(35);
    expect(pm?.numFmt).toBe('0.0');
    expect(air?.getRow(3).getCell(11).value).toBe('无效（有效20天，需27天）');
    expect(workbook.getWorksheet('排名')?.getRow(2).getCell(3).value).toBe(3.86);
    expect(workbook.getWorksheet('告警')?.getRow(2).getCell(7).value).toBe('2026-11-10 10:00');
    // The target by the indicator's name and the requirement as a sign with its unit, not the configuration's codes.
    const target = workbook.getWorksheet('目标进度')?.getRow(2);
    expect([target?.getCell(4).value, target?.getCell(5).value]).toEqual(['PM2.5 年均浓度', '≤ 33 μg/m³']);
  });
});
