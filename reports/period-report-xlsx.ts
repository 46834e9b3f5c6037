/**
 * The report as an Excel workbook: one sheet per table (空气质量评价, 排名, 地表水, 饮用水源, 告警, 目标进度), a bold
 * header row frozen in place, numbers as numbers with their published decimals kept by the cell format, and
 * 无效 / 无数据 cells as text so an invalid figure never reads as 0.
 */
import { createRequire } from 'node:module';
import type ExcelJSModule from 'exceljs';
import type { PeriodReport } from './period-report.ts';
import { periodReportTables } from './period-report-tables.ts';

// Loaded on first use, so commands that write no workbook do not pay for loading it at start-up.
const require = createRequire(import.meta.url);

const DECIMAL = /^-?\d+(\.\d+)?$/;

export async function periodReportXlsx(report: PeriodReport): Promise<Buffer> {
  const ExcelJS = require('exceljs') as typeof ExcelJSModule;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'envmon';
  workbook.title = report.title;
  for (const table of periodReportTables(report)) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(table.columns.map((c) => c.header)).font = { bold: true };
    for (const row of table.rows) {
      const added = sheet.addRow(row.map((cell, i) => (table.columns[i]?.kind === 'number' && DECIMAL.test(cell) ? Number(cell) : cell)));
      row.forEach((cell, i) => {
        if (table.columns[i]?.kind !== 'number' || !DECIMAL.test(cell)) return;
        // The cell shows as many decimals as the published figure has (35.0 stays 35.0).
        const places = cell.split('.')[1]?.length ?? 0;
        added.getCell(i + 1).numFmt = places === 0 ? '0' : `0.${'0'.repeat(places)}`;
      });
    }
    if (table.notes.length > 0) sheet.addRow([]);
    for (const note of table.notes) sheet.addRow([note]);
    sheet.columns.forEach((column, i) => {
      const header = table.columns[i]?.header ?? '';
      column.width = Math.min(40, Math.max(10, header.length * 2 + 2));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
