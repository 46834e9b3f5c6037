/** Air assessments and rankings as Chinese text tables for the terminal: with and without dust days side by side. */
import type { AirAssessment, AirFigures, PeriodConcentration, RankRow } from '../standards/assessment-types.ts';
import { assessedPollutants } from '../standards/assessment-types.ts';

const pollutantNames: Record<string, string> = { so2: 'SO2', no2: 'NO2', pm10: 'PM10', pm2_5: 'PM2.5', co: 'CO', o3_8h: 'O3-8h', o3: 'O3' };
const statisticNames = { mean: '均值', p95: '第95百分位', p90: '第90百分位' } as const;
const units: Record<string, string> = { co: 'mg/m³' };

/** A concentration as shown: its value, or 无效(n/需m) when its daily values are too few. */
function concentration(c: PeriodConcentration): string {
  return c.valid && c.value !== null ? c.value : `无效(${c.validCount}/需${c.required})`;
}

const orNone = (v: string | null, suffix = ''): string => (v === null ? '无效' : `${v}${suffix}`);

function lines(f: AirFigures, g: AirFigures): string[][] {
  const rows: string[][] = [['天数', String(f.days), String(g.days)], ['有效天数', String(f.validDays), String(g.validDays)]];
  rows.push(['优良天数', String(f.goodDays), String(g.goodDays)], ['优良天数比例', orNone(f.goodRatio, '%'), orNone(g.goodRatio, '%')]);
  rows.push(['重度及以上污染天数', String(f.heavyDays), String(g.heavyDays)]);
  for (const name of Object.keys(f.categories)) rows.push([`  ${name}`, String(f.categories[name] ?? 0), String(g.categories[name] ?? 0)]);
  for (const p of assessedPollutants) {
    const c = f.concentrations[p];
    rows.push([`${pollutantNames[p] ?? p} ${statisticNames[c.statistic]}(${units[p] ?? 'μg/m³'})`, concentration(c), concentration(g.concentrations[p])]);
  }
  for (const p of assessedPollutants) rows.push([`${pollutantNames[p] ?? p} 单项指数`, orNone(f.subIndices[p]), orNone(g.subIndices[p])]);
  rows.push(['综合指数', orNone(f.compositeIndex), orNone(g.compositeIndex)]);
  const primary = (x: AirFigures) => (x.primaryPollutant === null ? '无效' : x.primaryPollutant.map((p) => pollutantNames[p] ?? p).join('、'));
  rows.push(['首要污染物', primary(f), primary(g)]);
  const days = (x: AirFigures) => Object.entries(x.primaryPollutantDays).map(([p, n]) => `${pollutantNames[p] ?? p} ${n}`).join('，') || '-';
  rows.push(['首要污染物天数', days(f), days(g)]);
  return rows;
}

function table(rows: readonly string[][]): string {
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u3000-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? '')))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell))).join('  ').trimEnd()).join('\n');
}

export function airAssessmentText(a: AirAssessment): string {
  const head = `${a.originLabel ? `【${a.originLabel}】` : ''}${a.name}${a.site ? `（${a.site}）` : ''} 环境空气质量评价 ${a.from} 至 ${a.to}`;
  const out = [head, `评价标准：${a.standard.editions.join('、')}${a.standard.note ? `；${a.standard.note}` : ''}`];
  if (a.sites) out.push(`区域点位：${a.sites.join('、')}（按日对各点位日均值取算术平均，HJ 663-2013）`);
  out.push(`沙尘天气影响日（扣沙）：${a.dustDays.length === 0 ? '无' : a.dustDays.join('、')}`);
  out.push(table([['指标', '本期', '扣沙后'], ...lines(a, a.withoutDust)]));
  const c = a.previousYear.change;
  out.push(a.previousYear.figures === null
    ? `上年同期（${a.previousYear.from} 至 ${a.previousYear.to}）：无数据`
    : `上年同期（${a.previousYear.from} 至 ${a.previousYear.to}，扣沙后）综合指数 ${orNone(a.previousYear.figures.compositeIndex)}，变化 ${orNone(c.compositeIndex, '%')}；PM2.5 变化 ${orNone(c.pm2_5, '%')}；优良天数比例变化 ${orNone(c.goodRatio, '个百分点')}（浓度与综合指数负值为改善，优良比例正值为改善）`);
  return out.join('\n');
}

const rankNames = { composite: '综合指数', pm2_5: 'PM2.5浓度', goodRatio: '优良天数比例', change: '综合指数同比变化' } as const;

export function rankText(rows: readonly RankRow[], by: keyof typeof rankNames, from: string, to: string): string {
  const demo = rows.some((r) => r.assessment.originLabel !== null);
  const head = `${demo ? '【含回放/模拟数据】' : ''}${from} 至 ${to} 按${rankNames[by]}排名（扣沙后）`;
  const body = rows.map((r) => [r.rank === 0 ? '-' : `${r.rank}${r.tied ? '(并列)' : ''}`, `${r.assessment.originLabel ? `【${r.assessment.originLabel}】` : ''}${r.name}`, r.value ?? `不参与排名：${r.reason ?? '无效'}`]);
  return [head, table([['名次', '名称', rankNames[by]], ...body])].join('\n');
}
