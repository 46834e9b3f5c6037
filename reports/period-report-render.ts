/**
 * The monthly / annual report as plain text and as HTML (Chinese; every value escaped). The HTML carries its charts
 * either as inline SVG (a standalone file) or as <img> of PNGs the caller attaches by Content-ID (mail).
 */
import { escapeHtml } from '../lib/escape-html.ts';
import { barChartSvg } from './charts.ts';
import type { PeriodReport } from './period-report.ts';
import { periodReportCharts, periodReportTables, type ReportTable } from './period-report-tables.ts';

const sections = ['一', '二', '三', '四', '五', '六', '七', '八'];

function header(report: PeriodReport): string[] {
  return [
    `统计期：${report.from} 至 ${report.to}（自然日，北京时间）${report.complete ? '' : `；统计期未结束，数据截至 ${report.asOf ?? ''}`}`,
    ...(report.originLabels.length > 0 ? [`注意：本报告含${report.originLabels.join('、')}，非实测数据，仅供演示`] : []),
  ];
}

export function renderPeriodReportText(report: PeriodReport): string {
  const lines = [report.title, ...header(report)];
  periodReportTables(report).forEach((t, i) => {
    lines.push('', `${sections[i] ?? ''}、${t.name}`, t.columns.map((c) => c.header).join(' | '));
    if (t.rows.length === 0) lines.push('（无）');
    for (const row of t.rows) lines.push(row.join(' | '));
    lines.push(...t.notes);
  });
  return lines.join('\n');
}

function tableHtml(t: ReportTable, index: number): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('')}</tr>`;
  const body = t.rows.length === 0 ? `<tr><td colspan="${t.columns.length}">（无）</td></tr>` : t.rows.map((r) => `<tr>${r.map((cell, i) => `<td${t.columns[i]?.kind === 'number' ? ' class="num"' : ''}${cell.startsWith('无效') ? ' class="invalid"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${sections[index] ?? ''}、${escapeHtml(t.name)}</h2>\n<table>\n${head}\n${body}\n</table>\n${t.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}`;
}

export type ChartEmbedding = { inline: 'svg' } | { cids: readonly string[] };

export function renderPeriodReportHtml(report: PeriodReport, charts: ChartEmbedding): string {
  const specs = periodReportCharts(report);
  const figures = specs.map((spec, i) => ('inline' in charts ? `<figure>${barChartSvg(spec)}</figure>` : charts.cids[i] ? `<figure><img src="cid:${escapeHtml(charts.cids[i])}" width="720" height="320" alt="${escapeHtml(spec.title)}"></figure>` : ''));
  const tables = periodReportTables(report).map(tableHtml);
  // Charts follow the air tables they illustrate.
  const body = [tables[0], tables[1], ...figures, ...tables.slice(2)].join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 6px; }
th { background: #eef2f7; }
td.num { text-align: right; }
td.invalid { color: #b00020; }
p.note { color: #555; font-size: 12px; margin: 2px 0; }
p.demo { color: #b00020; font-weight: bold; }
figure { margin: 12px 0; }
</style></head><body>
<h1>${escapeHtml(report.title)}</h1>
${header(report).map((l, i) => `<p${i > 0 ? ' class="demo"' : ''}>${escapeHtml(l)}</p>`).join('\n')}
${body}
</body></html>
`;
}

export function periodReportSubject(report: PeriodReport): string {
  return `[envmon] ${report.title}`;
}
