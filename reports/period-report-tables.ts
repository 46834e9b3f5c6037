/**
 * The tables of a monthly or annual report, one model for every output (text, HTML, Excel): each cell is the text
 * an official reads — an invalid figure is 无效 with its day count, never blank or 0 — and a numeric column's
 * decimal strings keep their published precision (GB/T 8170 rounding is done by the assessment, not here).
 */
import { classText } from '../standards/labels.ts';
import type { AirAssessment, AirFigures, AssessedPollutant, PeriodConcentration, WaterSectionPeriod } from '../standards/assessment-types.ts';
import { assessedPollutants } from '../standards/assessment-types.ts';
import { findParameter } from '../standards/parameters.ts';
import { indicatorNames, targetRequirementText } from '../standards/target-labels.ts';
import type { BarChart } from './charts.ts';
import type { PeriodReport, ReportTarget } from './period-report.ts';

export interface ReportColumn {
  header: string;
  /** number: a decimal string is written as a number (Excel keeps its decimals); otherwise text. */
  kind: 'text' | 'number';
}

export interface ReportTable {
  /** Sheet name and section title (≤ 31 characters for Excel). */
  name: string;
  columns: ReportColumn[];
  rows: string[][];
  /** Lines under the table (e.g. compliance ratios, notes). */
  notes: string[];
}

const INVALID = '无效';

/** Pollutant column labels with their units: CO in mg/m³, the others μg/m³ (GB 3095 表1). */
const pollutantHeaders: Record<AssessedPollutant, string> = {
  pm2_5: 'PM2.5（μg/m³）',
  pm10: 'PM10（μg/m³）',
  so2: 'SO2（μg/m³）',
  no2: 'NO2（μg/m³）',
  co: 'CO 第95百分位（mg/m³）',
  o3_8h: 'O3日最大8小时 第90百分位（μg/m³）',
};
const pollutantShort: Record<AssessedPollutant, string> = { pm2_5: 'PM2.5', pm10: 'PM10', so2: 'SO2', no2: 'NO2', co: 'CO', o3_8h: 'O3-8h' };

const n = (c: number) => String(c);
const orInvalid = (v: string | null, why = '') => (v === null ? `${INVALID}${why}` : v);
/** A period concentration, or 无效 with the days it had against those GB 3095 表4 requires. */
const concentration = (c: PeriodConcentration) => (c.valid && c.value !== null ? c.value : `${INVALID}（有效${c.validCount}天，需${c.required}天）`);
const pct = (v: string | null) => (v === null ? '—' : `${v}%`);
const withOrigin = (name: string, label: string | null) => (label ? `${name}（${label}）` : name);

function airRow(a: AirAssessment, type: string, f: AirFigures, dust: boolean): string[] {
  return [
    withOrigin(a.name, a.originLabel),
    type,
    dust ? '扣沙后' : '实况',
    `${n(f.validDays)}/${n(f.days)}`,
    n(f.goodDays),
    orInvalid(f.goodRatio, '（无有效天）'),
    n(f.heavyDays),
    ...assessedPollutants.map((p) => concentration(f.concentrations[p])),
    orInvalid(f.compositeIndex, '（有污染物浓度无效）'),
    f.primaryPollutant?.map((p) => pollutantShort[p]).join('、') ?? '—',
  ];
}

function airTable(report: PeriodReport): ReportTable {
  const rows: string[][] = [];
  const add = (a: AirAssessment, type: string) => {
    rows.push(airRow(a, type, a, false));
    // HJ 663-2013 §5.3: figures with the dust-affected days removed are reported alongside when there are any.
    if (a.dustDays.length > 0) rows.push(airRow(a, type, a.withoutDust, true));
  };
  report.air.sites.forEach((a) => add(a, '站点'));
  report.air.areas.forEach((a) => add(a, '区域'));
  const editions = [...new Set([...report.air.sites, ...report.air.areas].flatMap((a) => a.standard.editions))];
  const notes = [...new Set([...report.air.sites, ...report.air.areas].flatMap((a) => (a.standard.note ? [a.standard.note] : [])))];
  return {
    name: '空气质量评价',
    columns: [
      { header: '名称', kind: 'text' },
      { header: '类型', kind: 'text' },
      { header: '口径', kind: 'text' },
      { header: '有效天数/总天数', kind: 'text' },
      { header: '优良天数', kind: 'number' },
      { header: '优良天数比例（%）', kind: 'number' },
      { header: '重污染天数', kind: 'number' },
      ...assessedPollutants.map((p) => ({ header: pollutantHeaders[p], kind: 'number' as const })),
      { header: '综合指数', kind: 'number' },
      { header: '首要污染物', kind: 'text' },
    ],
    rows,
    notes: [`评价依据：HJ 663 环境空气质量评价技术规范；${editions.length > 0 ? editions.join('、') : '无评价结果'}`, ...notes],
  };
}

function rankingTable(report: PeriodReport): ReportTable {
  return {
    name: '排名',
    columns: [
      { header: '排名', kind: 'number' },
      { header: '站点', kind: 'text' },
      { header: '综合指数', kind: 'number' },
      { header: '去年同期综合指数', kind: 'number' },
      { header: '同比变化（%）', kind: 'number' },
      { header: 'PM2.5 同比变化（%）', kind: 'number' },
    ],
    rows: report.ranking.map((r) => {
      const last = r.assessment.previousYear;
      return [
        r.value === null ? '不参与排名' : `${r.rank}${r.tied ? '（并列）' : ''}`,
        withOrigin(r.name, r.assessment.originLabel),
        orInvalid(r.value),
        last.figures ? orInvalid(last.figures.compositeIndex) : '无数据',
        last.change.compositeIndex ?? '—',
        last.change.pm2_5 ?? '—',
      ];
    }),
    notes: ['按综合指数由小到大排名（HJ 663），数值相同者并列；同比变化为（本期 − 去年同期）/ 去年同期，负值为改善'],
  };
}

function waterRows(list: readonly WaterSectionPeriod[]): string[][] {
  return list.map((w) => [
    withOrigin(w.name, w.originLabel),
    w.period,
    n(w.samples),
    w.class ? classText(w.class) : w.samples === 0 ? `${INVALID}（无样本）` : `${INVALID}（无法定类）`,
    w.target ? `${classText(w.target.class)}${w.target.reference ? '（参考）' : ''}` : '无目标',
    w.meetsTarget === null ? (w.target ? '无法评价' : '—') : w.meetsTarget ? '达标' : '未达标',
    w.worstParameters.map((p) => findParameter(p)?.nameZh ?? p).join('、') || '—',
    w.assumptions.join('；') || '—',
  ]);
}

const waterColumns: ReportColumn[] = [
  { header: '断面/水源', kind: 'text' },
  { header: '月份', kind: 'text' },
  { header: '样本数', kind: 'number' },
  { header: '水质类别（GB 3838-2002 单因子）', kind: 'text' },
  { header: '目标类别', kind: 'text' },
  { header: '是否达标', kind: 'text' },
  { header: '定类项目', kind: 'text' },
  { header: '说明', kind: 'text' },
];

function surfaceTable(report: PeriodReport): ReportTable {
  const w = report.water;
  const months = w.months.filter((m) => m.kind === 'surface_water');
  const whole = w.period.filter((m) => m.kind === 'surface_water');
  return {
    name: '地表水',
    columns: waterColumns,
    rows: waterRows(report.kind === 'monthly' ? months : [...months, ...whole]),
    notes: [`Ⅲ类及以上断面比例：${w.classIIIOrBetter.count}/${w.classIIIOrBetter.assessed}（${pct(w.classIIIOrBetter.ratio)}）`],
  };
}

function drinkingTable(report: PeriodReport): ReportTable {
  const w = report.water;
  const months = w.months.filter((m) => m.kind === 'drinking_water_source');
  const whole = w.period.filter((m) => m.kind === 'drinking_water_source');
  return {
    name: '饮用水源',
    columns: waterColumns,
    rows: waterRows(report.kind === 'monthly' ? months : [...months, ...whole]),
    notes: [`饮用水源达标率：${w.drinkingWaterCompliance.count}/${w.drinkingWaterCompliance.assessed}（${pct(w.drinkingWaterCompliance.ratio)}）`],
  };
}

const beijing = (iso: string | null) => (iso === null ? '—' : new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));
const severityZh: Record<string, string> = { info: '提示', warning: '警告', critical: '严重' };
const stateZh: Record<string, string> = { pending: '待确认', firing: '告警中', resolved: '已解除', acknowledged: '已确认' };

function alertsTable(report: PeriodReport): ReportTable {
  return {
    name: '告警',
    columns: ['编号', '规则', '级别', '状态', '站点', '参数', '首次发现（北京时间）', '触发', '解除', '数据来源'].map((header) => ({ header, kind: header === '编号' ? ('number' as const) : ('text' as const) })),
    rows: report.alerts.map((a) => [String(a.id), a.rule, severityZh[a.severity] ?? a.severity, stateZh[a.state] ?? a.state, a.siteName ?? a.site ?? '—', a.parameter ? (findParameter(a.parameter)?.nameZh ?? a.parameter) : '—', beijing(a.firstSeenAt), beijing(a.firedAt), beijing(a.resolvedAt), a.originLabel ?? '实测']),
    notes: [report.alerts.length === 0 ? '统计期内无告警' : `统计期内活动的告警 ${report.alerts.length} 条`],
  };
}

function targetRow(t: ReportTarget): string[] {
  return [
    t.id,
    withOrigin(t.document, t.originLabel),
    t.reference ? '参考' : t.status === 'final' ? '已到期' : t.governing ? '考核' : '非考核',
    indicatorNames[t.indicator].zh,
    targetRequirementText(t, 'zh-CN'),
    `${t.validFrom} 至 ${t.validTo}`,
    t.progress ? orInvalid(t.progress.current, '（无数据）') : '无进度',
    t.progress ? t.progress.meets === null ? '无法评价' : t.progress.meets ? '达标' : '未达标' : '—',
    t.progress?.projection ?? '—',
    [t.statusNote, t.periodNote].filter((x): x is string => typeof x === 'string' && x !== '').join('；') || '—',
    t.final ? t.final.text : t.status === 'final' ? '期末结果无法计算（无数据或区域目标）' : '—',
  ];
}

function targetsTable(report: PeriodReport): ReportTable {
  return {
    name: '目标进度',
    columns: ['目标', '文件', '性质', '指标', '目标值', '有效期', '年内累计', '是否达标', '预测', '说明', '期末结果'].map((header) => ({ header, kind: 'text' as const })),
    rows: report.targets.map(targetRow),
    notes: [report.targets.length === 0 ? '当年无规划目标' : `截至 ${report.targets[0]?.asOf ?? report.to}`, ...(report.targetsNote === null ? [] : [report.targetsNote])],
  };
}

export function periodReportTables(report: PeriodReport): ReportTable[] {
  return [airTable(report), rankingTable(report), surfaceTable(report), drinkingTable(report), alertsTable(report), targetsTable(report)];
}

/** The charts: PM2.5 and the composite index of each air site, this period against the same period a year before. */
export function periodReportCharts(report: PeriodReport): BarChart[] {
  const sites = report.air.sites;
  if (sites.length === 0) return [];
  const name = report.kind === 'monthly' ? `${report.period.slice(0, 4)}年${Number(report.period.slice(5))}月` : `${report.period}年`;
  const lastName = report.kind === 'monthly' ? `${Number(report.period.slice(0, 4)) - 1}年${Number(report.period.slice(5))}月` : `${Number(report.period) - 1}年`;
  const pm = (f: AirFigures | null) => (f && f.concentrations.pm2_5.valid ? f.concentrations.pm2_5.value : null);
  const origin = report.originLabels.length > 0 ? `（${report.originLabels.join('、')}）` : '';
  return [
    {
      title: `${name}各站点 PM2.5 浓度${origin}`,
      categories: sites.map((s) => s.name),
      series: [
        { name, values: sites.map((s) => pm(s)) },
        { name: lastName, values: sites.map((s) => pm(s.previousYear.figures)) },
      ],
      valueAxisName: 'PM2.5（μg/m³）',
      // GB 3095-2012 表1: PM2.5 annual mean, Grade II 35 μg/m³ — the yardstick of an annual figure only.
      ...(report.kind === 'annual' ? { line: { value: 35, label: '年平均二级浓度限值 35 μg/m³' }, highlightAbove: true } : {}),
    },
    {
      title: `${name}各站点环境空气质量综合指数${origin}`,
      categories: sites.map((s) => s.name),
      series: [
        { name, values: sites.map((s) => s.compositeIndex) },
        { name: lastName, values: sites.map((s) => s.previousYear.figures?.compositeIndex ?? null) },
      ],
      valueAxisName: '综合指数（无量纲）',
    },
  ];
}
