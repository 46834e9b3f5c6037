/**
 * The daily summary as mail: subject, plain text and HTML (every value escaped; the chart is an <img> whose source
 * the caller gives — `cid:` in mail, a data: URI in a standalone file), plus the chart PNG and the day's CSV.
 * Every value carries its unit, classes are written Ⅰ–Ⅴ/劣Ⅴ, sites without data say 无数据, a report of a day
 * still running says it is incomplete, and demonstration data are marked wherever they appear.
 */
import { originLabels, originMark } from '../lib/data-origin.ts';
import { formatBeijing } from '../lib/time.ts';
import { escapeHtml } from '../lib/escape-html.ts';
import { classText, withUnit } from '../standards/labels.ts';
import { findParameter } from '../standards/parameters.ts';
import type { Logger } from '../lib/logger.ts';
import { barChartSvg, svgToPng } from './charts.ts';
import type { AirSiteDay, DailyReport, WaterSiteDay } from './daily-report.ts';
import type { ReportAlert } from './daily-report-alerts.ts';

const pname = (code: string | null) => (code ? (findParameter(code)?.nameZh ?? code) : '');
/** Short pollutant labels, as the tables of the national platform write them. */
const airLabels: Record<string, string> = { pm2_5: 'PM2.5', pm10: 'PM10', so2: 'SO2', no2: 'NO2', co: 'CO', o3: 'O3' };
const airOrder = ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3'];
const cls = (c: string | null | undefined) => classText(c) || '—';

/** A Beijing hour-ending time: midnight is 24:00 of the day before, as the network labels it. */
function hourEnding(iso: string): string {
  const text = formatBeijing(new Date(iso));
  if (!text.endsWith(' 00:00')) return text;
  return `${formatBeijing(new Date(Date.parse(iso) - 60_000)).slice(0, 10)} 24:00`;
}

/** The 30 days of PM2.5 as PNG (ECharts, reports/charts.ts): a day without data is marked 无数据 in its slot. */
export function dailyReportChart(report: DailyReport, log?: Pick<Logger, 'warn'>): Buffer | null {
  const chart = report.chart;
  if (!chart) return null;
  const svg = barChartSvg({
    title: `${originMark(chart.origin)}${chart.name} 近30天 PM2.5 日均值`,
    categories: chart.days.map((d) => d.day.slice(5)),
    series: [{ name: 'PM2.5', values: chart.days.map((d) => d.value) }],
    valueAxisName: `PM2.5（${chart.unit}）`,
    ...(chart.target === null ? {} : { line: { value: chart.target, label: String(chart.target) }, highlightAbove: true }),
    missingLabel: '无数据',
    valueLabels: false,
    width: 640,
    height: 260,
  });
  return svgToPng(svg, log ? { log } : {});
}

function airHours(a: AirSiteDay): string {
  return airOrder.map((p) => `${airLabels[p] ?? p} ${a.completeness[p] ?? 0}/24`).join('、');
}

function airOver(a: AirSiteDay): string {
  return a.exceedances.map((e) => `${airLabels[e.parameter] ?? e.parameter} ${withUnit(e.value, e.parameter)}（限值 ${withUnit(e.limit, e.parameter)}，超标 ${e.multiple ?? '-'} 倍）`).join('；') || '无';
}

const valuesText = (list: readonly { parameter: string; value: string }[]) => list.map((x) => `${pname(x.parameter)} ${withUnit(x.value, x.parameter)}`).join('、');

/** The plan target's assessment: met or not, the special seasonal limits and the class of the other parameters. */
function targetAssessment(w: WaterSiteDay): string {
  if (!w.target) return '无目标';
  const meets = w.meets === null ? '无法评价' : w.meets ? '达标' : '未达标';
  if (w.seasonal.length === 0) return meets;
  const seasonal = w.seasonal.map((s) => `${pname(s.parameter)}按规划季节特别限值 ≤ ${withUnit(s.limit, s.parameter)} 考核（${withUnit(s.value, s.parameter)}，${s.breached ? '超限' : '达标'}）`).join('，');
  const others = w.class ? `，其余项目 ${cls(w.class)}（${valuesText(w.worst)}）` : '';
  const assumptions = [...new Set(w.seasonal.flatMap((s) => (s.assumption ? [s.assumption] : [])))];
  return `${meets}：${seasonal}${others}${assumptions.map((a) => `（${a}）`).join('')}`;
}

const targetText = (w: WaterSiteDay) => (w.target ? `${cls(w.targetClass)}${w.target.carriedOver ? `（${w.target.carriedOver}）` : ''}` : '无目标');

function waterLine(w: WaterSiteDay): string {
  const head = `  ${originMark(w.origin)}${w.name}：`;
  if (!w.hasData) return `${head}无数据（当日 0 个样本）`;
  const gb = w.gb3838 ? `GB 3838 单因子 ${cls(w.gb3838.class)}（${valuesText(w.gb3838.worst)} 为${cls(w.gb3838.class)}）` : 'GB 3838 无定类项目';
  const target = w.target ? `目标 ${targetText(w)}，${targetAssessment(w)}` : '无目标';
  return `${head}${gb}；${target}；样本 ${w.samples} 个`;
}

function alertLine(a: ReportAlert, cutoffLabel: string): string {
  const subject = [a.siteName ?? a.site ?? a.source ?? '', pname(a.parameter)].filter(Boolean).join(' ');
  const end = a.resolvedAt ? `${hourEnding(a.resolvedAt)} 解除` : `${cutoffLabel} 仍未解除`;
  return `  ${originMark(a.origin)}${a.rule} ${subject}：${hourEnding(a.firedAt)} 起，${end}`;
}

export function renderDailyReport(report: DailyReport, imageSrc: string | null): { subject: string; text: string; html: string } {
  // Demonstration data are named in the subject, above everything, and on every row they feed.
  const labels = report.origins.map((o) => originLabels[o].zh);
  const asOf = report.asOf ? formatBeijing(new Date(report.asOf)).slice(11) : null;
  const incomplete = asOf ? `（不完整：截至 ${asOf}）` : '';
  const noData = (n: number) => (n > 0 ? `（无数据 ${n} 个）` : '');
  const airMissing = report.air.filter((a) => !a.hasData).length;
  const waterMissing = report.water.filter((w) => !w.hasData).length;
  const subject = `【环境质量日报】${report.date}${labels.length > 0 ? `（含${labels.join('、')}）` : ''}${incomplete}：空气 ${report.air.length} 个站点${noData(airMissing)}，水质 ${report.water.length} 个断面/水源地${noData(waterMissing)}，告警新增 ${report.alerts.opened} 条`;
  const lines: string[] = [`环境质量日报 ${report.date}（北京时间 01:00–24:00）${incomplete}`, ''];
  const rows: string[] = [];
  if (asOf) rows.push(`<p style="color:#b00;font-weight:bold">${escapeHtml(`不完整：当日尚未结束，以下为截至 ${asOf}（北京时间）的数据。`)}</p>`);
  if (labels.length > 0) {
    const warning = `注意：标有${report.origins.map((o) => originMark(o)).join('、')}的内容来自演示数据源（模拟数据为程序生成，回放数据为历史记录按实时重放），不是实测数据，不得据以处置。`;
    lines.push(warning, '');
    rows.push(`<p style="color:#b00;font-weight:bold">${escapeHtml(warning)}</p>`);
  }
  const td = (text: string, attrs = '') => `<td${attrs}>${escapeHtml(text)}</td>`;
  // 无数据 stands out: a site that reports nothing is not a quiet site.
  const missing = (span: number) => `<td colspan="${span}"><strong style="color:#b00">无数据</strong></td>`;

  lines.push('一、环境空气（HJ 633 日 AQI；GB 3095 二级浓度限值；日均值）');
  rows.push('<h2>一、环境空气（日均值）</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>站点</th><th>AQI</th><th>类别</th><th>首要污染物</th><th>超二级标准</th><th>有效小时（共 24）</th></tr>');
  for (const a of report.air) {
    const name = originMark(a.origin) + a.name;
    if (!a.hasData) {
      lines.push(`  ${name}：无数据（有效小时 ${airHours(a)}）`);
      rows.push(`<tr>${td(name)}${missing(4)}${td(airHours(a))}</tr>`);
      continue;
    }
    const primary = a.primaryPollutants.map(pname).join('、') || '—';
    // Data, but no AQI: too few valid hours for a day value (GB 3095 Table 4) — not a clean day.
    const aqi = a.aqi === null ? '无（数据不足）' : String(a.aqi);
    lines.push(`  ${name}：AQI ${aqi}，${a.category ?? '—'}，首要污染物 ${primary}；超标：${airOver(a)}；有效小时 ${airHours(a)}（${a.standard}）`);
    rows.push(`<tr>${td(name)}${td(aqi)}${td(a.category ?? '—')}${td(primary)}${td(airOver(a))}${td(airHours(a))}</tr>`);
  }
  if (report.air.length === 0) rows.push('<tr><td colspan="6">未配置空气站点</td></tr>');
  rows.push('</table>');

  lines.push('', '二、地表水与饮用水水源地（当日均值；GB 3838-2002 单因子评价含全部项目；目标考核按规划目标及其季节特别限值）');
  rows.push(
    '<h2>二、地表水与饮用水水源地（当日均值）</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>断面/水源地</th><th style="white-space:nowrap">GB 3838 类别<br>（全部项目）</th><th>定类项目</th><th>规划目标</th><th>目标考核<br>（含季节特别限值）</th><th style="white-space:nowrap">样本数</th></tr>',
  );
  for (const w of report.water) {
    const name = originMark(w.origin) + w.name;
    lines.push(waterLine(w));
    if (!w.hasData) rows.push(`<tr>${td(name)}${missing(2)}${td(targetText(w))}${td('—')}${td('0')}</tr>`);
    else {
      const worst = w.gb3838 ? w.gb3838.worst.map((x) => `${pname(x.parameter)} ${withUnit(x.value, x.parameter)}（${cls(x.class)}）`).join('、') : '—';
      rows.push(`<tr>${td(name)}${td(cls(w.gb3838?.class))}${td(worst)}${td(targetText(w))}${td(w.target ? targetAssessment(w) : '—')}${td(String(w.samples))}</tr>`);
    }
  }
  if (report.water.length === 0) rows.push('<tr><td colspan="6">未配置水质断面</td></tr>');
  rows.push('</table>');

  const a = report.alerts;
  const cutoffLabel = asOf ? `截至 ${asOf}` : '24:00';
  const counts = `新增 ${a.opened} 条，解除 ${a.resolved} 条，${cutoffLabel} 仍未解除 ${a.open} 条`;
  const rest = a.total - a.items.length;
  lines.push('', `三、告警（按${asOf ? `截至 ${asOf} 的` : '当日 24:00 '}状态）：${counts}`);
  for (const item of a.items) lines.push(alertLine(item, cutoffLabel));
  if (a.total === 0) lines.push('  当日无告警');
  if (rest > 0) lines.push(`  另有 ${rest} 条未列出（envmon alerts list --all）`);
  rows.push(`<h2>三、告警（按${escapeHtml(asOf ? `截至 ${asOf} 的` : '当日 24:00 ')}状态）</h2><p>${escapeHtml(counts)}</p>`);
  if (a.items.length > 0) {
    rows.push('<table border="1" cellpadding="4" cellspacing="0"><tr><th>数据性质</th><th>规则</th><th>站点</th><th>项目</th><th>级别</th><th>预警起</th><th>状态</th></tr>');
    for (const item of a.items) {
      const state = item.resolvedAt ? `${hourEnding(item.resolvedAt)} 解除` : `${cutoffLabel} 仍未解除`;
      rows.push(`<tr>${td(item.originLabel ?? '实测')}${td(item.rule)}${td(item.siteName ?? item.site ?? item.source ?? '—')}${td(pname(item.parameter) || '—')}${td(item.severity)}${td(hourEnding(item.firedAt))}${td(state)}</tr>`);
    }
    rows.push('</table>');
  }
  if (rest > 0) rows.push(`<p>${escapeHtml(`另有 ${rest} 条未列出（envmon alerts list --all）`)}</p>`);

  lines.push('', '四、规划目标进度（年累计）');
  rows.push('<h2>四、规划目标进度（年累计）</h2><table border="1" cellpadding="4" cellspacing="0"><tr><th>目标</th><th>文件</th><th>年累计</th><th>目标值</th><th>达标</th><th>全年还需</th></tr>');
  // The reason comes first when no target is in force: the rows below are then references and final results.
  if (report.targetsNote !== null || report.targets.length === 0) {
    lines.push(`  ${report.targetsNote ?? '当年无在期规划目标'}`);
    rows.push(`<tr>${td(report.targetsNote ?? '当年无在期规划目标', ' colspan="6"')}</tr>`);
  }
  for (const t of report.targets) {
    const name = `${originMark(t.origin)}${t.id}`;
    const final = t.final ? `${t.final.year} 年终结果：${t.final.text}` : `${t.validTo.slice(0, 4)} 年终结果无法计算`;
    if (t.status === 'final') {
      lines.push(`  ${name}（${t.document}）【终期结果】${final}`);
      rows.push(`<tr>${td(name)}${td(t.document)}${td(`【终期结果】${final}`, ' colspan="4"')}</tr>`);
      continue;
    }
    const p = t.progress;
    const meets = p?.meets === true ? '达标' : p?.meets === false ? '未达标' : '—';
    // A reference is labelled wherever its value appears: it is not a target in force.
    const label = t.reference ? `【${t.statusNote ?? '参考值'}】` : '';
    const required = `${t.reference ? '参考值' : '目标'} ${p?.required ?? ''}`;
    // What the rest of the year needs, then a reference's final result: only those there are, so no stray "；".
    const outlook = [p?.projection ?? '', t.reference ? final : ''].filter((x) => x !== '').join('；');
    lines.push(`  ${name}（${t.document}）${label}：${p?.current ?? '无数据'}，${required}，${meets}${outlook ? `；${outlook}` : ''}`);
    rows.push(`<tr>${td(name + label)}${td(t.document)}${td(p?.current ?? '无数据')}${td(t.reference ? required : (p?.required ?? ''))}${td(meets)}${td(outlook)}</tr>`);
  }
  rows.push('</table>');

  const chart = report.chart;
  if (chart) {
    const missing = chart.days.length - chart.daysWithData;
    const missingText = missing > 0 ? `${chart.days.length} 天中 ${missing} 天无数据` : `${chart.days.length} 天均有数据`;
    const line = chart.targetLabel ? `虚线为 ${chart.targetLabel}，超过的日子为红色` : '';
    lines.push('', `五、近30天 ${originMark(chart.origin)}${chart.name} PM2.5 日均值（单位 ${chart.unit}；${line ? `${line}；` : ''}${missingText}${missing > 0 ? '，图中以灰色 × 标出' : ''}）`);
    rows.push(`<h2>五、近30天 ${escapeHtml(`${originMark(chart.origin)}${chart.name} PM2.5 日均值（${chart.unit}）`)}</h2>`);
    rows.push(`<p>${escapeHtml([chart.targetLabel ? `虚线：${chart.targetLabel}；红色：超过虚线的日子` : '', missing > 0 ? `灰色 ×：无数据（${missingText}）` : missingText].filter(Boolean).join('；'))}</p>`);
    if (imageSrc) rows.push(`<img src="${escapeHtml(imageSrc)}" width="640" height="260" alt="${escapeHtml(`PM2.5 日均值（${chart.unit}），${missingText}`)}">`);
  }
  lines.push('', '附件：当日全部小时数据（CSV，含数据性质列）。本邮件由 envmon 环境监测系统自动发送。');
  rows.push('<p style="color:#666">附件：当日全部小时数据（CSV，含数据性质列）。本邮件由 envmon 环境监测系统自动发送。</p>');
  const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','SimSun',sans-serif"><h1>${escapeHtml(`环境质量日报 ${report.date}${incomplete}`)}</h1>${rows.join('\n')}</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
