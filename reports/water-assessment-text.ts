/** Plain-text tables of a water assessment, for `envmon assess --kind water`. */
import type { WaterAssessment, WaterSectionPeriod } from '../standards/assessment-types.ts';
import { findParameter } from '../standards/parameters.ts';
import { waterClassZh } from '../standards/water-class.ts';

const parameterLabel = (code: string) => findParameter(code)?.nameZh ?? code;

const header = ['断面', '月份', '样本数', '类别', '目标', '是否达标', '超标项目'];

function row(p: WaterSectionPeriod): string[] {
  const name = `${p.originLabel ? `【${p.originLabel}】` : ''}${p.name}${p.kind === 'drinking_water_source' ? '（饮用水水源地）' : ''}`;
  const cls = p.class ? waterClassZh[p.class] : '无数据';
  const target = p.target ? `${waterClassZh[p.target.class]}${p.target.reference ? '（规划期满沿用）' : ''}` : '无目标';
  const meets = p.meetsTarget === null ? (p.samples === 0 ? '无数据' : '无法评价') : p.meetsTarget ? '达标' : '未达标';
  const over = (p.exceeding ?? []).map(parameterLabel).join('、') || (p.samples === 0 ? '—' : '无');
  return [name, p.period, String(p.samples), cls, target, meets, over];
}

function table(rows: readonly string[][]): string {
  return [header, ...rows].map((r) => r.join('\t')).join('\n');
}

const shareText = (s: { count: number; assessed: number; ratio: string | null }) => (s.ratio === null ? `无可评价对象（0 个）` : `${s.ratio}%（${s.count}/${s.assessed}）`);

export function waterAssessmentText(result: WaterAssessment): string {
  const assumptions = [...new Set([...result.months, ...result.period].flatMap((p) => p.assumptions))];
  const standards = [...new Set(result.period.flatMap((p) => (p.standard ? [`${p.name}：${p.standard}`] : [])))];
  return [
    `地表水环境质量评价（GB 3838-2002 单因子评价，${result.from} 至 ${result.to}）`,
    '',
    '逐月：',
    table(result.months.map(row)),
    '',
    '评价时段：',
    table(result.period.map(row)),
    '',
    `地表水断面Ⅰ～Ⅲ类比例：${shareText(result.classIIIOrBetter)}`,
    `饮用水水源地达标率：${shareText(result.drinkingWaterCompliance)}`,
    '',
    '评价标准：',
    ...standards.map((s) => `  ${s}`),
    '评价项目：pH、溶解氧、高锰酸盐指数、化学需氧量、五日生化需氧量、氨氮、总磷（水温、总氮、粪大肠菌群不参与类别评价）；月均值为算术平均，按 GB/T 8170 修约至三位小数后评价。',
    '',
    assumptions.length === 0 ? '假定：无' : `假定：\n${assumptions.map((a) => `  ${a}`).join('\n')}`,
  ].join('\n');
}
