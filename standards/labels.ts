/** How the standards' parameters and classes are written in texts (mails, reports, the console). */
import { findParameter } from './parameters.ts';
import { waterClassZh } from './water-class.ts';

/** The languages texts are written in. */
export type TextLanguage = 'zh-CN' | 'en';

/** A parameter's name in the language and its unit (none for pH). */
export function parameterLabel(parameter: string | null, language: TextLanguage): { name: string; unit: string } {
  const p = parameter ? findParameter(parameter) : undefined;
  if (!p) return { name: parameter ?? '', unit: '' };
  // pH is dimensionless: its value is shown without a unit.
  return { name: language === 'en' ? p.nameEn : p.nameZh, unit: p.unit === 'pH' ? '' : p.unit };
}

/** A value with its parameter's unit: `1.035 mg/L`, `7.8` for pH. */
export function withUnit(value: string | number, parameter: string | null): string {
  const { unit } = parameterLabel(parameter, 'zh-CN');
  return unit ? `${value} ${unit}` : String(value);
}

/** A GB 3838 class as Chinese text writes it: Ⅳ类, 劣Ⅴ类 (never the Latin IV). */
export function classText(cls: string | null | undefined): string {
  return cls ? ((waterClassZh as Record<string, string>)[cls] ?? cls) : '';
}
