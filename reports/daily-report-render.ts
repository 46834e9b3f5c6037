/**
 * The daily summary as mail: subject, plain text and HTML (every value escaped; the chart is an <img> whose source
 * the caller gives — `cid:` in mail, a data: URI in a standalone file), plus the chart PNG and the day's CSV.
 */
import { originLabels, originMark } from '../lib/data-origin.ts';
import { escapeHtml } from '../notify/templates.ts';
import { findParameter } from '../standards/parameters.ts';
import { waterClassZh } from '../standards/water-class.ts';
import { barChartPng } from './chart-png.ts';
import type { DailyReport } from './daily-report.ts';

const pname = (code: string) => findParameter(code)?.nameZh ?? code;
const cls = (c: string | null) => (c ? (waterClassZh as Record<string, string>)[c] ?? c : '无数据');

export function dailyReportChart(report: DailyReport): Buffer | null {
  if (!report.chart) return null;
  return barChartPng(report.chart.days.map((d) => ({ label: d.day.slice(5), value: d.value === null ? null : Number(d.value) })), report.chart.target);
}

export function renderDailyReport(report: DailyReport, imageSrc: string | null): { subject: string; text: string; html: string } {
  // Demonstration data are named in the subject, above everything, and on every row they feed.
  const labels = report.origins.map((o) => originLabels[o].zh);
  const subject = `【环境质量日报】${report.date}${labels.length > 0 ? `（含${labels.join('、')}）` : ''}：空气 ${report.air.length} 个站点，水质 ${report.water.length} 个断面，告警新增 ${report.alerts.opened} 条`;
  const lines: string[] = [`环境质量日报 ${report.date}（北京时间 01:00–24:00）`, ''];
  const rows: string[] = [];
  if (labels.length > 0) {
    const warning = `注意：标有${report.origins.map((o) => originMark(o)).join('、')}的内容来自演示数据源（模拟数据为程序生成，回放数据为历史记录按实时重放），不是实测数据，不得据以处置。`;
    lines.push(warning, '');
    rows.push(`<p style="color:#b00;font-weight:bold">${escapeHtml(warning)}</p>`);
  }

  lines.push('一、环境空气（HJ 633 日 AQI；GB 3095 二级浓度限值）');
  rows.push('<h2>一、环境空气</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>站点</th><th>AQI</th><th>类别</th><th>首要污染物</th><th>超二级标准</th><th>有效小时(PM2.5/PM10/SO2/NO2/CO/O3)</th></tr>');
  for (const a of report.air) {
    const over = a.exceedances.map((e) => `${pname(e.parameter)} ${e.value}（限值 ${e.limit}，超标 ${e.multiple ?? '-'} 倍）`).join('；') || '无';
    const hours = ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3'].map((p) => `${a.completeness[p] ?? 0}`).join('/');
    const primary = a.primaryPollutants.map(pname).join('、') || '—';
    lines.push(`  ${originMark(a.origin)}${a.name}：AQI ${a.aqi ?? '无'}，${a.category ?? '—'}，首要污染物 ${primary}；超标：${over}；有效小时 ${hours}（${a.standard}）`);
    rows.push(`<tr><td>${escapeHtml(originMark(a.origin) + a.name)}</td><td>${escapeHtml(String(a.aqi ?? '无'))}</td><td>${escapeHtml(a.category ?? '—')}</td><td>${escapeHtml(primary)}</td><td>${escapeHtml(over)}</td><td>${escapeHtml(hours)}</td></tr>`);
  }
  if (report.air.length === 0) rows.push('<tr><td colspan="6">当日无空气监测数据</td></tr>');
  rows.push('</table>');

  lines.push('', '二、地表水（GB 3838-2002 单因子评价）');
  rows.push('<h2>二、地表水</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>断面</th><th>水质类别</th><th>目标</th><th>达标</th><th>主要项目</th><th>规划季节限值</th></tr>');
  for (const w of report.water) {
    const worst = w.worst.map((x) => `${pname(x.parameter)} ${x.value}（${cls(x.class)}）`).join('、') || '—';
    const meets = w.meets === null ? '—' : w.meets ? '达标' : '未达标';
    // A parameter under the target's seasonal special limit is judged against it, not by its class.
    const seasonal = w.seasonal.map((x) => `${pname(x.parameter)} ${x.value}（季节限值 ≤ ${x.limit}，${x.breached ? '超限' : '达标'}）`).join('、');
    lines.push(`  ${originMark(w.origin)}${w.name}：${cls(w.class)}，目标 ${cls(w.targetClass)}，${meets}；主要项目 ${worst}${seasonal ? `；${seasonal}` : ''}`);
    rows.push(`<tr><td>${escapeHtml(originMark(w.origin) + w.name)}</td><td>${escapeHtml(cls(w.class))}</td><td>${escapeHtml(cls(w.targetClass))}</td><td>${escapeHtml(meets)}</td><td>${escapeHtml(worst)}</td><td>${escapeHtml(seasonal || '—')}</td></tr>`);
  }
  if (report.water.length === 0) rows.push('<tr><td colspan="6">当日无地表水监测数据</td></tr>');
  rows.push('</table>');

  const a = report.alerts;
  const demo = report.origins.map((o) => [o, a.items.filter((i) => i.origin === o).length] as const).filter(([, n]) => n > 0);
  const ofWhich = demo.length > 0 ? `（列出的 ${a.items.length} 条中${demo.map(([o, n]) => `${originLabels[o].zh} ${n} 条`).join('，')}）` : '';
  lines.push('', `三、告警：新增 ${a.opened} 条，解除 ${a.resolved} 条，仍未解除 ${a.open} 条${ofWhich}`);
  rows.push(`<h2>三、告警</h2><p>${escapeHtml(`新增 ${a.opened} 条，解除 ${a.resolved} 条，仍未解除 ${a.open} 条${ofWhich}`)}</p>`);

  lines.push('', '四、规划目标进度（年累计）');
  rows.push('<h2>四、规划目标进度</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>目标</th><th>文件</th><th>年累计</th><th>目标值</th><th>达标</th><th>全年还需</th></tr>');
  for (const t of report.targets) {
    const p = t.progress;
    const meets = p?.meets === true ? '达标' : p?.meets === false ? '未达标' : '—';
    lines.push(`  ${originMark(t.origin)}${t.id}（${t.document}）：${p?.current ?? '无数据'}，目标 ${p?.required ?? ''}，${meets}；${p?.projection ?? ''}`);
    rows.push(`<tr><td>${escapeHtml(originMark(t.origin) + t.id)}</td><td>${escapeHtml(t.document)}</td><td>${escapeHtml(p?.current ?? '无数据')}</td><td>${escapeHtml(p?.required ?? '')}</td><td>${escapeHtml(meets)}</td><td>${escapeHtml(p?.projection ?? '')}</td></tr>`);
  }
  if (report.targets.length === 0) rows.push('<tr><td colspan="6">当年无在期规划目标</td></tr>');
  rows.push('</table>');

  if (report.chart) {
    lines.push('', `五、近30天 ${originMark(report.chart.origin)}${report.chart.name} PM2.5 日均值（红色为超过 ${report.chart.target ?? '-'} μg/m³ 的日子；${report.chart.targetLabel ?? ''}）`);
    rows.push(`<h2>五、近30天 ${escapeHtml(originMark(report.chart.origin) + report.chart.name)} PM2.5 日均值</h2><p>虚线：${escapeHtml(report.chart.targetLabel ?? '')}（${escapeHtml(String(report.chart.target ?? '-'))} μg/m³）</p>`);
    if (imageSrc) rows.push(`<img src="${escapeHtml(imageSrc)}" width="640" height="260" alt="PM2.5 日均值">`);
  }
  lines.push('', '附件：当日全部小时数据（CSV）。本邮件由 envmon 环境监测系统自动发送。');
  rows.push('<p style="color:#666">附件：当日全部小时数据（CSV）。本邮件由 envmon 环境监测系统自动发送。</p>');
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','SimSun',sans-serif"><h1>${escapeHtml(`环境质量日报 ${report.date}`)}</h1>${rows.join('\n')}</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
