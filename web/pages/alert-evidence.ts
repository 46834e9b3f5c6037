/**
 * An alert's evidence as a reader wants it: each stored key under its name in the page's language, times in Beijing
 * time, yes/no for flags, values with their parameter's unit, nothing for an empty value. A key this page does not
 * know is still shown (under its stored name), so no part of the evidence is ever hidden.
 */
import { originLabels, type DataOrigin } from '../../lib/data-origin.ts';
import { formatBeijing } from '../../lib/time.ts';
import { classText, parameterLabel, withUnit } from '../../standards/labels.ts';
import { t, type MessageKey } from '../i18n.ts';

/** The keys in the order a reader takes them in: what, where, how much, against what, when. */
const ORDER = [
  'kind', 'rule', 'origin', 'site', 'source', 'parameter', 'value', 'previous', 'direction', 'limit', 'clearAt', 'maxRise', 'maxRatio',
  'window', 'validCount', 'class', 'targetClass', 'target', 'targetValidTo', 'worst', 'seasonalLimits', 'values',
  'indicator', 'nature', 'current', 'required', 'basis', 'projection', 'reference', 'statusNote', 'periodNote', 'asOf',
  'flag', 'flaggedHours', 'samples', 'since', 'afterHours', 'silentMinutes', 'neverDelivered', 'reason',
  'time', 'breaches', 'late', 'lateRun', 'limitSource', 'document', 'standard',
] as const;

type Known = (typeof ORDER)[number];
const known = new Set<string>(ORDER);

/** Keys that repeat another one (the Chinese class name beside the class). */
const REDUNDANT = new Set(['classZh']);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function duration(v: string, lang: 'zh' | 'en'): string {
  const m = /^(\d+(?:\.\d+)?)\s*(min|h|d)$/.exec(v);
  if (!m) return v;
  const units: Record<string, [string, string]> = { min: ['分钟', 'min'], h: ['小时', 'h'], d: ['天', 'days'] };
  return `${m[1]} ${(units[m[2] as string] as [string, string])[lang === 'en' ? 1 : 0]}`;
}

/** A value no key-specific rule covers: text, a number, yes/no, a Beijing time, or compact JSON. */
function plain(v: unknown, lang: 'zh' | 'en'): string {
  if (typeof v === 'boolean') return t(lang, v ? 'common.yes' : 'common.no');
  if (typeof v === 'string' && ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v))) return formatBeijing(new Date(v));
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function formatValue(key: string, v: unknown, e: Record<string, unknown>, lang: 'zh' | 'en'): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (Array.isArray(v) && v.length === 0) return null;
  const language = lang === 'en' ? 'en' : 'zh-CN';
  const parameter = str(e.parameter);
  const cls = (c: unknown) => (lang === 'en' ? `Class ${str(c) ?? ''}` : classText(str(c)));
  const sep = lang === 'en' ? ', ' : '，';
  switch (key as Known) {
    case 'kind':
      return typeof v === 'string' && Object.hasOwn(KIND_KEYS, v) ? t(lang, KIND_KEYS[v] as MessageKey) : plain(v, lang);
    case 'origin':
      return typeof v === 'string' && Object.hasOwn(originLabels, v) ? originLabels[v as DataOrigin][lang] : plain(v, lang);
    case 'parameter': {
      const name = parameterLabel(str(v), language).name;
      return typeof v === 'string' && name && name !== v ? `${name} (${v})` : plain(v, lang);
    }
    case 'value': case 'previous': case 'limit': case 'clearAt': case 'maxRise':
      return str(v) === null ? plain(v, lang) : withUnit(str(v) as string, parameter);
    case 'direction':
      return v === '<' ? t(lang, 'alert.ev.direction.below') : v === '>' ? t(lang, 'alert.ev.direction.above') : plain(v, lang);
    case 'window':
      return typeof v === 'string' ? duration(v, lang) : plain(v, lang);
    case 'flaggedHours': case 'afterHours':
      return str(v) === null ? plain(v, lang) : duration(`${str(v) ?? ''}h`, lang);
    case 'silentMinutes':
      return str(v) === null ? plain(v, lang) : duration(`${str(v) ?? ''}min`, lang);
    case 'class': case 'targetClass':
      return typeof v === 'string' ? cls(v) : plain(v, lang);
    case 'worst':
      return Array.isArray(v)
        ? (v as { parameter?: string; class?: string; value?: string }[]).map((w) => `${parameterLabel(w.parameter ?? null, language).name} ${withUnit(w.value ?? '', w.parameter ?? null)}${w.class ? ` (${cls(w.class)})` : ''}`).join(sep)
        : plain(v, lang);
    case 'seasonalLimits':
      return Array.isArray(v)
        ? (v as { parameter?: string; value?: string; limit?: string; breached?: boolean }[])
            .map((l) => `${parameterLabel(l.parameter ?? null, language).name} ${withUnit(l.value ?? '', l.parameter ?? null)} (≤ ${withUnit(l.limit ?? '', l.parameter ?? null)}${sep}${t(lang, l.breached ? 'alert.ev.breached' : 'alert.ev.met')})`)
            .join(sep)
        : plain(v, lang);
    case 'values':
      return typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v as Record<string, unknown>).flatMap(([p, x]) => (str(x) === null ? [] : [`${parameterLabel(p, language).name} ${withUnit(str(x) as string, p)}`])).join(sep)
        : plain(v, lang);
    case 'lateRun': {
      const run = v as { from?: string; to?: string; evaluations?: number };
      if (typeof run !== 'object' || !run.from || !run.to) return plain(v, lang);
      return `${plain(run.from, lang)} – ${plain(run.to, lang)}${run.evaluations === undefined ? '' : `${sep}${String(run.evaluations)} ${t(lang, 'alert.ev.evaluations')}`}`;
    }
    default:
      return plain(v, lang);
  }
}

const KIND_KEYS: Record<string, MessageKey> = {
  threshold: 'alert.ev.kind.threshold',
  rate_of_change: 'alert.ev.kind.rate_of_change',
  instrument_state: 'alert.ev.kind.instrument_state',
  target_at_risk: 'alert.ev.kind.target_at_risk',
  water_class: 'alert.ev.kind.water_class',
};

/** The evidence as label/value rows; `code` is true for a key shown under its stored name (not one this page knows). */
export function evidenceRows(evidence: Record<string, unknown>, lang: 'zh' | 'en'): { label: string; value: string; code: boolean }[] {
  const keys = [...ORDER.filter((k) => Object.hasOwn(evidence, k)), ...Object.keys(evidence).filter((k) => !known.has(k) && !REDUNDANT.has(k))];
  return keys.flatMap((k): { label: string; value: string; code: boolean }[] => {
    const value = formatValue(k, evidence[k], evidence, lang);
    if (value === null || value === '') return [];
    return known.has(k) ? [{ label: t(lang, `alert.ev.${k}` as MessageKey), value, code: false }] : [{ label: k, value, code: true }];
  });
}
