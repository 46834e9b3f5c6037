/**
 * How a plan target is written for readers (the console's 目标 page, monthly and annual reports): the indicator by
 * name, the required value with its comparator as a sign and its unit — "≤ 44 μg/m³", "≥ 75 %", "Ⅲ类或更好",
 * "不劣于 24 μg/m³" — never the configuration's codes.
 */
import type { TargetConfig } from '../config/schema.ts';
import { classText, type TextLanguage } from './labels.ts';

export type TargetIndicator = TargetConfig['indicator'];

export const indicatorNames: Readonly<Record<TargetIndicator, { zh: string; en: string; unit: string }>> = {
  pm2_5_annual_mean: { zh: 'PM2.5 年均浓度', en: 'PM2.5 annual mean', unit: 'μg/m³' },
  good_day_ratio: { zh: '优良天数比例', en: 'Good-day ratio', unit: '%' },
  heavy_pollution_day_ratio: { zh: '重污染天数比例', en: 'Heavy-pollution day ratio', unit: '%' },
  heavy_pollution_days: { zh: '重污染天数', en: 'Heavy-pollution days', unit: '天' },
  water_class: { zh: '水质类别', en: 'Water class', unit: '' },
};

const WATER_CLASSES = ['I', 'II', 'III', 'IV', 'V', '劣V'];

/** A target's value as read: a water class as Ⅲ类 (Class III), a figure with its unit. */
export function targetValueText(indicator: TargetIndicator, value: string | number, language: TextLanguage): string {
  if (indicator === 'water_class') {
    const cls = String(value).replace(/^(class_at_least|≥|>=|<=|≤)\s*/, '');
    if (!WATER_CLASSES.includes(cls)) return String(value);
    return language === 'en' ? (cls === '劣V' ? 'worse than Class V' : `Class ${cls}`) : classText(cls);
  }
  const unit = indicatorNames[indicator].unit;
  if (unit === '天' && language === 'en') return `${value} ${Number(value) === 1 ? 'day' : 'days'}`;
  return unit === '' ? String(value) : `${value} ${unit}`;
}

/** What a target requires: "≤ 44 μg/m³", "≥ 75 %", "Ⅲ类或更好", "不劣于 24 μg/m³". */
export function targetRequirementText(target: Pick<TargetConfig, 'indicator' | 'target'> & { baseline?: TargetConfig['baseline'] | null }, language: TextLanguage): string {
  const { comparator, value } = target.target;
  if (comparator === 'not_worse_than_baseline') {
    const baseline = target.baseline?.value;
    const text = baseline === undefined ? '—' : targetValueText(target.indicator, baseline, language);
    return language === 'en' ? `not worse than ${text}` : `不劣于 ${text}`;
  }
  if (value === undefined) return '—';
  if (comparator === 'class_at_least') return language === 'en' ? `${targetValueText(target.indicator, value, language)} or better` : `${targetValueText(target.indicator, value, language)}或更好`;
  return `${comparator === '<=' ? '≤' : '≥'} ${targetValueText(target.indicator, value, language)}`;
}
