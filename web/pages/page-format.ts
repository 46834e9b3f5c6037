/** How the console pages write times, ages, kinds, pollutants, classes and demo labels, in both languages. */
import { html, type SafeHtml } from '../html.ts';
import { t, type Lang, type MessageKey } from '../i18n.ts';
import { originLabels, type DataOrigin } from '../../lib/data-origin.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { findParameter } from '../../standards/parameters.ts';
import { waterClassZh, type WaterClass } from '../../standards/water-class.ts';

const short: Record<string, string> = { pm2_5: 'PM2.5', pm10: 'PM10', so2: 'SO₂', no2: 'NO₂', co: 'CO', o3: 'O₃', o3_8h: 'O₃ 8h', nh3_n: 'NH₃-N', codmn: 'CODMn', cod: 'COD', bod5: 'BOD₅', tp: 'TP', tn: 'TN', do: 'DO', ph: 'pH' };

/** A parameter as a short label (PM2.5, O₃, NH₃-N); other parameters by their catalogue name. */
export function parameterLabel(code: string, lang: Lang): string {
  return short[code] ?? (lang === 'en' ? findParameter(code)?.nameEn : findParameter(code)?.nameZh) ?? code;
}

export function unitOf(code: string): string {
  return findParameter(code)?.unit ?? '';
}

/** Ⅲ类 in Chinese, Class III in English. */
export function waterClassLabel(cls: WaterClass, lang: Lang): string {
  if (lang === 'zh') return waterClassZh[cls];
  return cls === '劣V' ? 'Worse than Class V' : `Class ${cls}`;
}

/** GB 3838's two kinds of water body, as the console names them. */
export function waterBodyLabel(body: string, lang: Lang): string {
  if (body === 'river') return lang === 'en' ? 'river' : '河流';
  if (body === 'lake_reservoir') return lang === 'en' ? 'lake / reservoir' : '湖库';
  return body;
}

export function kindLabel(kind: string, lang: Lang): string {
  const key = `kind.${kind}` as MessageKey;
  const text = t(lang, key);
  return text === undefined ? kind : text;
}

/** A duration as the largest sensible unit: 45 分钟, 3 小时, 2 天 5 小时. */
export function formatAge(ms: number, lang: Lang): string {
  const sep = lang === 'en' ? ' ' : ' ';
  if (ms < HOUR_MS) return `${Math.floor(ms / 60_000)}${sep}${t(lang, 'overview.minutes')}`;
  const hours = Math.floor(ms / HOUR_MS);
  if (hours < 48) return `${hours}${sep}${t(lang, 'overview.hours')}`;
  const days = Math.floor(hours / 24);
  return `${days}${sep}${t(lang, 'overview.days')} ${hours % 24}${sep}${t(lang, 'overview.hours')}`;
}

/** The demonstration-data badge (模拟数据 / 回放数据), or nothing for measured data. */
export function originBadge(origin: DataOrigin | null, lang: Lang): SafeHtml | '' {
  if (!origin) return '';
  const label = lang === 'en' ? originLabels[origin].en : originLabels[origin].zh;
  return html`<span class="badge demo demo-${origin}" title="${originLabels[origin].zh}">${label}</span>`;
}

export function siteName(s: { nameZh: string; nameEn: string }, lang: Lang): string {
  return lang === 'en' && s.nameEn ? s.nameEn : s.nameZh;
}
